/** TCP header flag bits, lowest first, as flow logs report them in `tcp-flags` (bitwise OR over the interval). */
const TCP_FLAG_BITS = [
  [1, 'FIN'], [2, 'SYN'], [4, 'RST'], [8, 'PSH'], [16, 'ACK'], [32, 'URG'], [64, 'ECE'], [128, 'CWR'],
] as const;

/** Decodes a `tcp-flags` value: `18` → `['SYN', 'ACK']`. */
export function tcpFlagNames(flags: number): string[] {
  const names: string[] = [];
  for (const [bit, name] of TCP_FLAG_BITS) if ((flags & bit) !== 0) names.push(name);
  return names;
}
