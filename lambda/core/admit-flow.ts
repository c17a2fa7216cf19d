import type { Alert } from './alert';
import type { FindingSettings } from './finding';
import type { DetectorState } from './finding-state';
import { observationOf, observe } from './finding-state';

/**
 * What becomes of one flow alert: `send` it; `late` send it because its window's findings are
 * already out; `held` (findings mode) counted in a finding and not sent on its own; `allowlisted`
 * (findings mode) its source is allowlisted; `counted` (findings mode) an accepted or no-data
 * record below `high`, only counted.
 */
export type Admission = 'send' | 'late' | 'held' | 'allowlisted' | 'counted';

/**
 * Decides what happens to `alert` under `settings` and records it in `state` when it is a rejected
 * flow for the detectors (placed in time by `timeMs`). In `findings` mode a flow is sent on its own
 * when it is `high`, unparsed, a rejection without two addresses or a usable time (no finding can
 * hold it), or late (its window is closed, or ends at or before `openAfter`); so no rejected flow
 * outside the allowlist is ever invisible. Pure apart from `state`.
 */
export function admitFlow(state: DetectorState, alert: Alert, timeMs: number, settings: FindingSettings, openAfter = 0): Admission {
  if (settings.alertMode === 'flows') return 'send';
  const seen = observationOf(alert, timeMs, settings.allowlist);
  const both = settings.alertMode === 'both';
  if (seen === 'allowlisted') return both ? 'send' : 'allowlisted';
  if (typeof seen === 'object') {
    if (observe(state, seen, settings.windowMs, openAfter) === 'late') return 'late';
    return both || alert.severity === 'high' ? 'send' : 'held';
  }
  if (both || alert.severity === 'high' || seen !== 'not-rejected' || alert.raw_event.record_format === 'unparsed') return 'send';
  return 'counted';
}
