/**
 * Test-time validator for OCSF 1.1.0 events, driven by the schema itself (../shared/ocsf/schema-1.1.0,
 * read, never copied). It follows what the OCSF server's validator does: classes and objects are
 * resolved through `extends` and `$include`, each attribute is its dictionary entry deep-merged with
 * the class/object overrides, and profile attributes count only when `metadata.profiles` lists them.
 */
import fs from 'node:fs';
import path from 'node:path';

const SCHEMA_DIR = path.join(__dirname, '..', '..', '..', 'shared', 'ocsf', 'schema-1.1.0');

/** Absent when ../shared/ocsf is not there (callers skip with a clear message). */
export const OCSF_SCHEMA_DIR: string | undefined = fs.existsSync(path.join(SCHEMA_DIR, 'dictionary.json')) ? SCHEMA_DIR : undefined;

export interface OcsfProblem {
  readonly path: string;
  readonly message: string;
}

const SCHEMA_VERSION = '1.1.0';

type Json = Record<string, unknown>;
interface EnumValue {
  readonly caption?: string;
}
interface AttributeDef {
  readonly type?: string;
  readonly is_array?: boolean;
  readonly requirement?: string;
  readonly enum?: Record<string, EnumValue>;
  readonly sibling?: string;
  /** Set when the attribute comes from a profile: it exists only when the event applies that profile. */
  readonly profile?: string;
}
interface Shape {
  readonly kind: 'class' | 'object';
  readonly name: string;
  readonly attributes: ReadonlyMap<string, AttributeDef>;
  readonly constraints: Readonly<Record<string, readonly string[]>>;
}
interface EventClass extends Shape {
  readonly uid: number;
  readonly caption: string;
  readonly activityCaptions: Readonly<Record<string, EnumValue>>;
}
interface DataType {
  readonly type?: string;
  readonly max_len?: number;
  readonly regex?: string;
  readonly range?: readonly number[];
}
interface Schema {
  readonly dictionary: Readonly<Record<string, Json>>;
  readonly types: Readonly<Record<string, DataType>>;
  readonly rawObjects: ReadonlyMap<string, Json>;
  readonly objects: Map<string, Shape>;
  readonly classes: ReadonlyMap<number, EventClass>;
  readonly profileNames: ReadonlySet<string>;
}

const isRecord = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const record = (v: unknown): Json => (isRecord(v) ? v : {});
const readJson = (file: string): Json => record(JSON.parse(fs.readFileSync(path.join(SCHEMA_DIR, file), 'utf8')));

/** Like the OCSF server's Utils.deep_merge: records merge key by key (so enums union), anything else is replaced. */
function deepMerge(base: unknown, over: unknown): unknown {
  if (over === undefined) return base;
  if (!isRecord(base) || !isRecord(over)) return over;
  const out: Json = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = deepMerge(base[k], v);
  return out;
}

/** Every *.json under `dir` (relative to the schema root), keyed by the file's `name`. */
function readNamed(dir: string): Map<string, Json> {
  const out = new Map<string, Json>();
  for (const entry of fs.readdirSync(path.join(SCHEMA_DIR, dir), { withFileTypes: true })) {
    const rel = path.join(dir, entry.name);
    if (entry.isDirectory()) for (const [k, v] of readNamed(rel)) out.set(k, v);
    else if (entry.name.endsWith('.json')) {
      const json = readJson(rel);
      if (typeof json['name'] === 'string') out.set(json['name'], json);
    }
  }
  return out;
}

/** A file's own attribute overrides, with its `$include`s merged underneath (a profile's attributes tagged with it). */
function ownAttributes(file: Json): Json {
  const attributes = record(file['attributes']);
  const out: Json = {};
  const includes = attributes['$include'];
  for (const inc of Array.isArray(includes) ? includes : typeof includes === 'string' ? [includes] : []) {
    if (typeof inc !== 'string') continue;
    const included = readJson(inc);
    const profile = included['meta'] === 'profile' && typeof included['name'] === 'string' ? included['name'] : undefined;
    for (const [name, attr] of Object.entries(ownAttributes(included))) {
      out[name] = deepMerge(out[name], profile === undefined ? attr : { ...record(attr), profile });
    }
  }
  const own = { ...attributes };
  delete own['$include'];
  // The file's own entries override the included ones but keep their profile tag, as the server does.
  return record(deepMerge(out, own));
}

/** Attribute overrides and constraints of a class/object after `extends` (the child overrides the parent). */
function resolveExtends(table: ReadonlyMap<string, Json>, name: string, seen: string[] = []): { attributes: Json; constraints: unknown } {
  const file = table.get(name);
  if (file === undefined || seen.includes(name)) throw new Error(`OCSF schema: cannot resolve "${name}" (${seen.join(' → ')})`);
  const parent = typeof file['extends'] === 'string' ? resolveExtends(table, file['extends'], [...seen, name]) : { attributes: {}, constraints: undefined };
  return { attributes: record(deepMerge(parent.attributes, ownAttributes(file))), constraints: file['constraints'] ?? parent.constraints };
}

/** Dictionary entry + overrides, plus the `<x>_dt` datetime_t twin of each timestamp the server adds for the datetime profile. */
function finishShape(kind: Shape['kind'], name: string, resolved: { attributes: Json; constraints: unknown }, dictionary: Readonly<Record<string, Json>>): Shape {
  const attributes = new Map<string, AttributeDef>();
  for (const [attr, over] of Object.entries(resolved.attributes)) attributes.set(attr, record(deepMerge(dictionary[attr] ?? {}, over)) as AttributeDef);
  for (const [attr, def] of [...attributes]) {
    if (def.type === 'timestamp_t' && !attributes.has(`${attr}_dt`)) {
      attributes.set(`${attr}_dt`, { type: 'datetime_t', requirement: 'optional', profile: 'datetime' });
    }
  }
  const constraints: Record<string, string[]> = {};
  for (const [k, v] of Object.entries(record(resolved.constraints))) if (Array.isArray(v)) constraints[k] = v.filter((x): x is string => typeof x === 'string');
  return { kind, name, attributes, constraints };
}

let cached: Schema | undefined;

function schema(): Schema {
  if (cached !== undefined) return cached;
  if (OCSF_SCHEMA_DIR === undefined) throw new Error(`OCSF schema not found at ${SCHEMA_DIR}: skip OCSF validation when OCSF_SCHEMA_DIR is undefined`);
  const dict = readJson('dictionary.json');
  const dictionary = record(dict['attributes']) as Record<string, Json>;
  const types = record(record(dict['types'])['attributes']) as Record<string, DataType>;
  const categories = record(readJson('categories.json')['attributes']);
  const rawClasses = readNamed('events');
  const classes = new Map<number, EventClass>();
  for (const [name, file] of rawClasses) {
    const category = record(categories[String(file['category'])]);
    // Classes without a uid (base_event, network, finding, ...) are abstract parents.
    if (typeof file['uid'] !== 'number' || typeof category['uid'] !== 'number') continue;
    const uid = category['uid'] * 1000 + file['uid'];
    const shape = finishShape('class', name, resolveExtends(rawClasses, name), dictionary);
    const caption = String(file['caption']);
    const attributes = new Map(shape.attributes);
    // The classification enums are computed per class, as the server does; type_uid is checked separately.
    const fixEnum = (attr: string, key: number, enumCaption: string) =>
      attributes.set(attr, { ...attributes.get(attr), enum: { [String(key)]: { caption: enumCaption } } });
    fixEnum('class_uid', uid, caption);
    fixEnum('category_uid', category['uid'], String(category['caption']));
    const typeUid = attributes.get('type_uid');
    if (typeUid !== undefined) attributes.set('type_uid', { ...typeUid, enum: undefined, sibling: undefined });
    classes.set(uid, { ...shape, attributes, uid, caption, activityCaptions: attributes.get('activity_id')?.enum ?? {} });
  }
  cached = {
    dictionary,
    types,
    rawObjects: readNamed('objects'),
    objects: new Map(),
    classes,
    profileNames: new Set(readNamed('profiles').keys()),
  };
  return cached;
}

function objectShape(s: Schema, name: string): Shape | undefined {
  if (!s.rawObjects.has(name)) return undefined;
  let shape = s.objects.get(name);
  if (shape === undefined) {
    shape = finishShape('object', name, resolveExtends(s.rawObjects, name), s.dictionary);
    s.objects.set(name, shape);
  }
  return shape;
}

const join = (parent: string, key: string): string => (parent === '' ? key : `${parent}.${key}`);
const show = (v: unknown): string => (typeof v === 'string' ? JSON.stringify(v) : Array.isArray(v) ? 'an array' : isRecord(v) ? 'an object' : String(v));
const INT32 = 2 ** 31;

class Validator {
  readonly problems: OcsfProblem[] = [];
  constructor(
    private readonly s: Schema,
    private readonly profiles: ReadonlySet<string>,
  ) {}

  add(path: string, message: string): void {
    this.problems.push({ path, message });
  }

  applies(def: AttributeDef): boolean {
    return def.profile === undefined || this.profiles.has(def.profile);
  }

  /** A data type and those it derives from, base type last (port_t → integer_t); empty for object types. */
  chain(type: string): string[] {
    const chain: string[] = [];
    for (let t: string | undefined = type; t !== undefined && t in this.s.types && !chain.includes(t); t = this.s.types[t]?.type) chain.push(t);
    return chain;
  }

  /** Checks one class/object value: requirements, profiles, types, unknown attributes, enums, constraints. */
  shape(value: Json, shape: Shape, at: string): void {
    for (const [name, def] of shape.attributes) {
      const v = value[name];
      const p = join(at, name);
      const applies = this.applies(def);
      if (v === undefined || v === null) {
        // null counts as absent, except that a required attribute must have a value.
        if (applies && def.requirement === 'required') this.add(p, v === null ? 'required attribute is null' : 'required attribute is missing');
      } else if (!applies) {
        this.add(p, `attribute of the "${def.profile}" profile, which metadata.profiles does not list`);
      } else if (def.is_array === true) {
        if (!Array.isArray(v)) this.add(p, `expected an array of ${def.type}, got ${show(v)}`);
        else v.forEach((item, i) => this.value(item, def, `${p}[${i}]`));
      } else this.value(v, def, p);
    }
    // An object with no attributes (`object`, used by unmapped and xattributes) is free-form.
    if (shape.attributes.size > 0) {
      for (const key of Object.keys(value)) {
        if (!shape.attributes.has(key)) this.add(join(at, key), `unknown attribute: not defined in ${shape.kind} "${shape.name}"`);
      }
    }
    for (const [name, def] of shape.attributes) if (def.enum !== undefined && this.applies(def)) this.enumeration(value, name, def, at);
    for (const [kind, keys] of Object.entries(shape.constraints)) {
      const present = keys.filter((k) => lookup(value, k) !== undefined).length;
      if ((kind === 'at_least_one' && present === 0) || (kind === 'just_one' && present !== 1)) {
        this.add(at, `constraint ${kind} of ${shape.kind} "${shape.name}" fails: ${present} of ${keys.join(', ')} present`);
      }
    }
  }

  /** One value (or array element) against its attribute's type. */
  value(v: unknown, def: AttributeDef, at: string): void {
    const type = def.type ?? '(none)';
    if (type in this.s.types) {
      this.primitive(v, type, at);
      return;
    }
    const shape = objectShape(this.s, type);
    if (shape === undefined) this.add(at, `schema has no type or object "${type}"`);
    else if (!isRecord(v)) this.add(at, `expected an object (${type}), got ${show(v)}`);
    else this.shape(v, shape, at);
  }

  /** Base types: follow the `type` chain (port_t → integer_t) collecting max_len, regex and range. */
  primitive(v: unknown, type: string, at: string): void {
    const chain = this.chain(type);
    const base = chain[chain.length - 1];
    const first = <K extends keyof DataType>(k: K): DataType[K] | undefined => chain.map((t) => this.s.types[t]?.[k]).find((x) => x !== undefined);
    const wrong = (note?: string) => {
      const detail = [type === base ? undefined : base, note].filter((x) => x !== undefined).join(', ');
      this.add(at, `expected ${type}${detail === '' ? '' : ` (${detail})`}, got ${show(v)}`);
    };
    switch (base) {
      case 'string_t': {
        if (typeof v !== 'string') return wrong();
        // OCSF strings are UTF-8: a lone surrogate (half a character) has no UTF-8 form.
        if (/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(v)) this.add(at, 'holds half a character (a lone UTF-16 surrogate), which has no UTF-8 form');
        const maxLen = first('max_len');
        if (maxLen !== undefined && v.length > maxLen) this.add(at, `${v.length} characters, more than the ${maxLen} ${type} allows`);
        const regex = compile(first('regex'));
        if (regex !== undefined && !regex.test(v)) this.add(at, `${show(v)} does not match the ${type} pattern`);
        return;
      }
      case 'integer_t':
      case 'long_t': {
        const limit = base === 'integer_t' ? INT32 : 2 ** 63;
        if (typeof v !== 'number' || !Number.isInteger(v) || v < -limit || v >= limit) return wrong(base === 'integer_t' ? '32-bit integer' : '64-bit integer');
        const range = first('range');
        if (range !== undefined && range.length === 2 && (v < (range[0] ?? v) || v > (range[1] ?? v))) {
          this.add(at, `${v} is outside the ${type} range ${range[0]}..${range[1]}`);
        }
        return;
      }
      case 'float_t':
        if (typeof v !== 'number' || !Number.isFinite(v)) wrong();
        return;
      case 'boolean_t':
        if (typeof v !== 'boolean') wrong();
        return;
      case 'json_t':
        return; // any JSON value
      default:
        this.add(at, `schema type ${type} has unknown base type ${base}`);
    }
  }

  /** Enum value is defined; its sibling (activity_name, severity, ...) is the enum caption, except for 99 (Other). */
  enumeration(value: Json, name: string, def: AttributeDef, at: string): void {
    const values = def.enum ?? {};
    const v = value[name];
    const sibling = def.sibling === undefined ? undefined : value[def.sibling];
    const items = def.is_array === true ? (Array.isArray(v) ? v : []) : [v];
    const isString = this.chain(def.type ?? '').at(-1) === 'string_t';
    items.forEach((item, i) => {
      // Absent, or of the wrong type (reported by the type check): nothing to compare.
      if (isString ? typeof item !== 'string' : typeof item !== 'number' || !Number.isInteger(item)) return;
      const p = def.is_array === true ? `${join(at, name)}[${i}]` : join(at, name);
      const entry = values[String(item)];
      if (entry === undefined) {
        this.add(p, `${show(item)} is not a defined ${name} value (${Object.keys(values).join(', ')})`);
        return;
      }
      const siblingValue = def.is_array === true && Array.isArray(sibling) ? sibling[i] : sibling;
      if (def.sibling === undefined || siblingValue === undefined || siblingValue === null || String(item) === '99') return;
      if (siblingValue !== entry.caption) {
        const sp = def.is_array === true ? `${join(at, def.sibling)}[${i}]` : join(at, def.sibling);
        this.add(sp, `${show(siblingValue)} disagrees with ${name} ${show(item)}, whose caption is ${JSON.stringify(entry.caption)}`);
      }
    });
  }
}

/** Value at a dotted path (constraints such as "device.os.sp_name"); null counts as absent. */
function lookup(value: Json, dotted: string): unknown {
  let v: unknown = value;
  for (const key of dotted.split('.')) v = isRecord(v) ? v[key] : undefined;
  return v === null ? undefined : v;
}

const regexes = new Map<string, RegExp | undefined>();
/** Compiled once; a pattern JavaScript cannot compile is skipped rather than failing every event. */
function compile(pattern: string | undefined): RegExp | undefined {
  if (pattern === undefined) return undefined;
  if (!regexes.has(pattern)) {
    try {
      regexes.set(pattern, new RegExp(pattern));
    } catch {
      regexes.set(pattern, undefined);
    }
  }
  return regexes.get(pattern);
}

/** Validates `event` against the class named by its class_uid (4001, 2004, ...). Returns problems; empty = valid. */
export function validateOcsf(event: unknown): OcsfProblem[] {
  const s = schema();
  if (!isRecord(event)) return [{ path: '', message: `expected an event object, got ${show(event)}` }];
  const classUid = event['class_uid'];
  if (typeof classUid !== 'number' || !Number.isInteger(classUid)) return [{ path: 'class_uid', message: `expected an integer class_uid, got ${show(classUid)}` }];
  const eventClass = s.classes.get(classUid);
  if (eventClass === undefined) return [{ path: 'class_uid', message: `no OCSF ${SCHEMA_VERSION} class has uid ${classUid}` }];

  const metadata = record(event['metadata']);
  const listed = Array.isArray(metadata['profiles']) ? metadata['profiles'] : [];
  const v = new Validator(s, new Set(listed.filter((p): p is string => typeof p === 'string')));
  listed.forEach((p, i) => {
    if (typeof p === 'string' && !s.profileNames.has(p)) v.add(`metadata.profiles[${i}]`, `unknown profile ${show(p)}`);
  });
  v.shape(event, eventClass, '');

  // type_uid is derived: class_uid * 100 + activity_id, named "<class caption>: <activity caption>".
  const activityId = event['activity_id'];
  const typeUid = event['type_uid'];
  if (typeof activityId === 'number' && typeof typeUid === 'number') {
    const expected = classUid * 100 + activityId;
    if (typeUid !== expected) v.add('type_uid', `${typeUid} should be class_uid * 100 + activity_id = ${expected}`);
    const activity = eventClass.activityCaptions[String(activityId)]?.caption;
    const typeName = event['type_name'];
    if (typeUid === expected && activity !== undefined && activityId !== 99 && typeName !== undefined && typeName !== null) {
      const want = `${eventClass.caption}: ${activity}`;
      if (typeName !== want) v.add('type_name', `${show(typeName)} disagrees with type_uid ${typeUid}, whose caption is ${JSON.stringify(want)}`);
    }
  }
  const version = metadata['version'];
  if (typeof version === 'string' && version !== SCHEMA_VERSION) v.add('metadata.version', `${show(version)} is not the schema version "${SCHEMA_VERSION}"`);
  return v.problems;
}

/** Throws an Error listing the problems (and the event JSON, cut to 2,000 chars) when invalid. */
export function expectValidOcsf(event: unknown): void {
  const problems = validateOcsf(event);
  if (problems.length === 0) return;
  const json = JSON.stringify(event) ?? String(event);
  const cut = json.length > 2000 ? `${json.slice(0, 2000)}…` : json;
  const list = problems.map((p) => `  - ${p.path === '' ? '(event)' : p.path}: ${p.message}`).join('\n');
  throw new Error(`event is not valid OCSF ${SCHEMA_VERSION} (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n${list}\n${cut}`);
}
