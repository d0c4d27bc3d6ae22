// Generated agencies for `make bench`: realistic Vietnamese state bodies (ministries,
// provinces, provincial departments, public service units), 2-4 workspaces each, placed over
// subsets of the data centres that are accredited for their security level, with quotas
// that fit the bench DataCentres' capacity. Deterministic: the same N and seed give the same
// agencies, so a run can be repeated and the baseline renders exactly what the operator gets.
//
// Names: `bench-NNNN-<slug>` (at most 30 characters), codes K10.NN.NN (a series no real
// agency, sample or e2e test uses), so nothing here collides with what else is on the hub.
import type { Agency, DataCentre } from '../operator/src/api/index.ts';

export const BENCH_PREFIX = 'bench-';
export const BENCH_LABEL = 'bench.govcloud.dev/run';
export const BENCH_NAME = /^bench-\d{4,}-/;
const API = 'govcloud.dev/v1alpha1';

/** The three data centres of samples/platform, with the highest level each is accredited for. */
export const DATA_CENTRES = ['dc-hanoi', 'dc-hcm', 'dc-danang'] as const;
type Dc = (typeof DATA_CENTRES)[number];

/** A data centre the bench may place agencies in. */
export interface BenchDataCentre {
  name: string;
  accreditedLevel: number;
}

/** Capacity of the bench DataCentres: far above what 1000 agencies ask for. */
export const BENCH_CAPACITY = { cpu: '100000', memory: '400Ti', storage: '20Pi' };

interface Province {
  name: string;
  slug: string;
  city: boolean;
  region: 'north' | 'central' | 'south';
}

// The 34 provincial-level units after the 2025 merger; the six centrally-run cities first.
const PROVINCES: Province[] = [
  { name: 'Hà Nội', slug: 'hanoi', city: true, region: 'north' },
  { name: 'Hồ Chí Minh', slug: 'hcm', city: true, region: 'south' },
  { name: 'Hải Phòng', slug: 'haiphong', city: true, region: 'north' },
  { name: 'Đà Nẵng', slug: 'danang', city: true, region: 'central' },
  { name: 'Cần Thơ', slug: 'cantho', city: true, region: 'south' },
  { name: 'Huế', slug: 'hue', city: true, region: 'central' },
  { name: 'Quảng Ninh', slug: 'quangninh', city: false, region: 'north' },
  { name: 'Lào Cai', slug: 'laocai', city: false, region: 'north' },
  { name: 'Thái Nguyên', slug: 'thainguyen', city: false, region: 'north' },
  { name: 'Phú Thọ', slug: 'phutho', city: false, region: 'north' },
  { name: 'Bắc Ninh', slug: 'bacninh', city: false, region: 'north' },
  { name: 'Hưng Yên', slug: 'hungyen', city: false, region: 'north' },
  { name: 'Ninh Bình', slug: 'ninhbinh', city: false, region: 'north' },
  { name: 'Tuyên Quang', slug: 'tuyenquang', city: false, region: 'north' },
  { name: 'Cao Bằng', slug: 'caobang', city: false, region: 'north' },
  { name: 'Lạng Sơn', slug: 'langson', city: false, region: 'north' },
  { name: 'Lai Châu', slug: 'laichau', city: false, region: 'north' },
  { name: 'Điện Biên', slug: 'dienbien', city: false, region: 'north' },
  { name: 'Sơn La', slug: 'sonla', city: false, region: 'north' },
  { name: 'Thanh Hóa', slug: 'thanhhoa', city: false, region: 'central' },
  { name: 'Nghệ An', slug: 'nghean', city: false, region: 'central' },
  { name: 'Hà Tĩnh', slug: 'hatinh', city: false, region: 'central' },
  { name: 'Quảng Trị', slug: 'quangtri', city: false, region: 'central' },
  { name: 'Quảng Ngãi', slug: 'quangngai', city: false, region: 'central' },
  { name: 'Gia Lai', slug: 'gialai', city: false, region: 'central' },
  { name: 'Đắk Lắk', slug: 'daklak', city: false, region: 'central' },
  { name: 'Khánh Hòa', slug: 'khanhhoa', city: false, region: 'central' },
  { name: 'Lâm Đồng', slug: 'lamdong', city: false, region: 'south' },
  { name: 'Đồng Nai', slug: 'dongnai', city: false, region: 'south' },
  { name: 'Tây Ninh', slug: 'tayninh', city: false, region: 'south' },
  { name: 'Vĩnh Long', slug: 'vinhlong', city: false, region: 'south' },
  { name: 'Đồng Tháp', slug: 'dongthap', city: false, region: 'south' },
  { name: 'An Giang', slug: 'angiang', city: false, region: 'south' },
  { name: 'Cà Mau', slug: 'camau', city: false, region: 'south' },
];

interface Body {
  name: string;
  abbr: string;
  type: Agency['spec']['type'];
  /** Highest security level its systems reach (the generator picks at or below it). */
  maxLevel: number;
}

const MINISTRIES: Body[] = [
  { name: 'Bộ Tài chính', abbr: 'btc', type: 'ministry', maxLevel: 4 },
  { name: 'Bộ Y tế', abbr: 'byt', type: 'ministry', maxLevel: 3 },
  { name: 'Bộ Giáo dục và Đào tạo', abbr: 'bgddt', type: 'ministry', maxLevel: 3 },
  { name: 'Bộ Xây dựng', abbr: 'bxd', type: 'ministry', maxLevel: 3 },
  { name: 'Bộ Công Thương', abbr: 'bct', type: 'ministry', maxLevel: 3 },
  { name: 'Bộ Nông nghiệp và Môi trường', abbr: 'bnnmt', type: 'ministry', maxLevel: 3 },
  { name: 'Bộ Khoa học và Công nghệ', abbr: 'bkhcn', type: 'ministry', maxLevel: 4 },
  { name: 'Bộ Tư pháp', abbr: 'btp', type: 'ministry', maxLevel: 4 },
  { name: 'Bộ Nội vụ', abbr: 'bnv', type: 'ministry', maxLevel: 3 },
  { name: 'Bộ Ngoại giao', abbr: 'bng', type: 'ministry', maxLevel: 4 },
  { name: 'Bộ Văn hóa, Thể thao và Du lịch', abbr: 'bvhttdl', type: 'ministry', maxLevel: 2 },
  { name: 'Bộ Dân tộc và Tôn giáo', abbr: 'bdttg', type: 'ministry', maxLevel: 3 },
  { name: 'Ngân hàng Nhà nước Việt Nam', abbr: 'nhnn', type: 'ministryLevelAgency', maxLevel: 4 },
  { name: 'Thanh tra Chính phủ', abbr: 'ttcp', type: 'ministryLevelAgency', maxLevel: 4 },
  { name: 'Văn phòng Chính phủ', abbr: 'vpcp', type: 'ministryLevelAgency', maxLevel: 4 },
  { name: 'Bảo hiểm xã hội Việt Nam', abbr: 'bhxh', type: 'governmentAgency', maxLevel: 3 },
  { name: 'Thông tấn xã Việt Nam', abbr: 'ttxvn', type: 'governmentAgency', maxLevel: 2 },
  { name: 'Đài Truyền hình Việt Nam', abbr: 'vtv', type: 'governmentAgency', maxLevel: 2 },
  { name: 'Đài Tiếng nói Việt Nam', abbr: 'vov', type: 'governmentAgency', maxLevel: 2 },
  { name: 'Viện Hàn lâm Khoa học và Công nghệ Việt Nam', abbr: 'vast', type: 'governmentAgency', maxLevel: 2 },
  { name: 'Viện Hàn lâm Khoa học xã hội Việt Nam', abbr: 'vass', type: 'governmentAgency', maxLevel: 2 },
];

const MINISTRY_UNITS: { name: string; abbr: string; parent: string }[] = [
  { name: 'Cục Thuế', abbr: 'cthue', parent: 'btc' },
  { name: 'Cục Hải quan', abbr: 'chq', parent: 'btc' },
  { name: 'Kho bạc Nhà nước', abbr: 'kbnn', parent: 'btc' },
  { name: 'Cục Quản lý Khám, chữa bệnh', abbr: 'ckcb', parent: 'byt' },
  { name: 'Cục Quản lý Dược', abbr: 'cqld', parent: 'byt' },
  { name: 'Cục Công nghệ thông tin', abbr: 'ccntt', parent: 'bgddt' },
  { name: 'Cục Đường bộ Việt Nam', abbr: 'cdbvn', parent: 'bxd' },
  { name: 'Cục Hàng không Việt Nam', abbr: 'chkvn', parent: 'bxd' },
  { name: 'Cục Xuất nhập khẩu', abbr: 'cxnk', parent: 'bct' },
  { name: 'Cục Quản lý đất đai', abbr: 'cqldd', parent: 'bnnmt' },
  { name: 'Cục Khí tượng Thủy văn', abbr: 'ckttv', parent: 'bnnmt' },
  { name: 'Cục Chuyển đổi số quốc gia', abbr: 'ccds', parent: 'bkhcn' },
  { name: 'Cục Bưu điện Trung ương', abbr: 'cbdtw', parent: 'bkhcn' },
  { name: 'Cục Đăng ký quốc gia giao dịch bảo đảm', abbr: 'cdkgd', parent: 'btp' },
  { name: 'Cục Lãnh sự', abbr: 'cls', parent: 'bng' },
  { name: 'Cục Việc làm', abbr: 'cvl', parent: 'bnv' },
];

const DEPARTMENTS: Body[] = [
  { name: 'Sở Tài chính', abbr: 'stc', type: 'provincialDepartment', maxLevel: 3 },
  { name: 'Sở Y tế', abbr: 'syt', type: 'provincialDepartment', maxLevel: 3 },
  { name: 'Sở Giáo dục và Đào tạo', abbr: 'sgddt', type: 'provincialDepartment', maxLevel: 2 },
  { name: 'Sở Xây dựng', abbr: 'sxd', type: 'provincialDepartment', maxLevel: 2 },
  { name: 'Sở Công Thương', abbr: 'sct', type: 'provincialDepartment', maxLevel: 2 },
  { name: 'Sở Nông nghiệp và Môi trường', abbr: 'snnmt', type: 'provincialDepartment', maxLevel: 2 },
  { name: 'Sở Khoa học và Công nghệ', abbr: 'skhcn', type: 'provincialDepartment', maxLevel: 3 },
  { name: 'Sở Tư pháp', abbr: 'stp', type: 'provincialDepartment', maxLevel: 3 },
  { name: 'Sở Nội vụ', abbr: 'snv', type: 'provincialDepartment', maxLevel: 2 },
  { name: 'Sở Văn hóa, Thể thao và Du lịch', abbr: 'svhttdl', type: 'provincialDepartment', maxLevel: 1 },
  { name: 'Sở Dân tộc và Tôn giáo', abbr: 'sdttg', type: 'provincialDepartment', maxLevel: 2 },
  { name: 'Sở Ngoại vụ', abbr: 'sngv', type: 'provincialDepartment', maxLevel: 2 },
  { name: 'Thanh tra tỉnh', abbr: 'tt', type: 'provincialDepartment', maxLevel: 3 },
  { name: 'Văn phòng Ủy ban nhân dân', abbr: 'vpubnd', type: 'provincialDepartment', maxLevel: 3 },
];

const UNITS: Body[] = [
  { name: 'Trung tâm Phục vụ hành chính công', abbr: 'ttpvhcc', type: 'other', maxLevel: 2 },
  { name: 'Trung tâm Công nghệ thông tin và Truyền thông', abbr: 'ttcntt', type: 'other', maxLevel: 2 },
  { name: 'Trung tâm Kiểm soát bệnh tật', abbr: 'cdc', type: 'other', maxLevel: 2 },
  { name: 'Bệnh viện Đa khoa', abbr: 'bvdk', type: 'other', maxLevel: 2 },
  { name: 'Đài Phát thanh và Truyền hình', abbr: 'ptth', type: 'other', maxLevel: 1 },
  { name: 'Bảo hiểm xã hội', abbr: 'bhxh', type: 'sector', maxLevel: 3 },
];

interface WorkspaceTemplate {
  name: string;
  description: string;
  dataClass: 'open' | 'shared' | 'private';
  /** Reaches the internet (an allow-list), where the level allows it. */
  egress?: string[];
}

const WORKSPACES: WorkspaceTemplate[] = [
  { name: 'cong-thong-tin', description: 'Cổng thông tin điện tử', dataClass: 'open', egress: ['203.0.113.0/24'] },
  { name: 'mot-cua', description: 'Hệ thống thông tin giải quyết thủ tục hành chính một cửa', dataClass: 'private' },
  { name: 'csdl', description: 'Cơ sở dữ liệu chuyên ngành', dataClass: 'private' },
  { name: 'van-ban', description: 'Quản lý văn bản và điều hành', dataClass: 'shared' },
  { name: 'bao-cao', description: 'Hệ thống thông tin báo cáo', dataClass: 'shared' },
  { name: 'dvc', description: 'Dịch vụ công trực tuyến', dataClass: 'shared', egress: ['198.51.100.0/24'] },
  { name: 'ke-toan', description: 'Phần mềm kế toán', dataClass: 'private' },
  { name: 'thu-nghiem', description: 'Môi trường thử nghiệm', dataClass: 'open' },
];

/** Highest level each data centre is accredited for (samples/platform; the bench keeps them). */
export const ACCREDITED: Record<Dc, number> = { 'dc-hanoi': 4, 'dc-hcm': 3, 'dc-danang': 2 };
const SAMPLE_DATA_CENTRES: BenchDataCentre[] = DATA_CENTRES.map((name) => ({ name, accreditedLevel: ACCREDITED[name] }));

/**
 * The data centres of a platform the bench may fill: shared ones (not dedicated to or owned by
 * an agency, not cordoned) with a cluster to reach; samples/platform's three first, the others
 * (`make cluster-up CLUSTERS=N`: dc-4, dc-5, ...) after them in natural order.
 */
export function benchDataCentres(dataCentres: DataCentre[], clusters: readonly string[]): BenchDataCentre[] {
  const rank = (name: string): number => {
    const i = (DATA_CENTRES as readonly string[]).indexOf(name);
    return i < 0 ? DATA_CENTRES.length : i;
  };
  return dataCentres
    .filter((d) => clusters.includes(d.metadata.name) && !d.spec.dedicatedTo && !d.spec.ownedBy && !d.spec.cordoned)
    .map((d) => ({ name: d.metadata.name, accreditedLevel: d.spec.accreditedLevel }))
    .sort((a, b) => rank(a.name) - rank(b.name) || a.name.localeCompare(b.name, 'en', { numeric: true }));
}

const HOME: Record<Province['region'], Dc> = { north: 'dc-hanoi', central: 'dc-danang', south: 'dc-hcm' };

/** A small deterministic PRNG (mulberry32). */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Candidate {
  displayName: string;
  slug: string;
  type: Agency['spec']['type'];
  maxLevel: number;
  /** Key of the parent candidate (abbr of a ministry, `p:<slug>` of a province). */
  parent?: string;
  key: string;
  home: Dc;
  /** Index of the province the body belongs to (bodies of a province share its data centres). */
  province?: number;
}

function provinceName(p: Province): string {
  return p.city ? `thành phố ${p.name}` : `tỉnh ${p.name}`;
}

/** Every candidate, in the order agencies are generated: any prefix is a realistic mix. */
function candidates(): Candidate[] {
  const out: Candidate[] = [];
  for (const m of MINISTRIES) out.push({ displayName: m.name, slug: m.abbr, type: m.type, maxLevel: m.maxLevel, key: m.abbr, home: 'dc-hanoi' });
  for (const [pi, p] of PROVINCES.entries()) {
    out.push({
      displayName: `Ủy ban nhân dân ${provinceName(p)}`,
      slug: `ubnd-${p.slug}`,
      type: 'province',
      maxLevel: 3,
      key: `p:${p.slug}`,
      home: HOME[p.region],
      province: pi,
    });
  }
  // Departments and units by body, then province: a prefix covers every province.
  const local: Candidate[] = [];
  for (const d of [...DEPARTMENTS, ...UNITS]) {
    for (const [pi, p] of PROVINCES.entries()) {
      local.push({
        displayName: d.abbr === 'tt' ? `Thanh tra ${provinceName(p)}` : `${d.name} ${provinceName(p)}`,
        slug: `${d.abbr}-${p.slug}`,
        type: d.type,
        maxLevel: d.maxLevel,
        parent: `p:${p.slug}`,
        key: `${d.abbr}:${p.slug}`,
        home: HOME[p.region],
        province: pi,
      });
    }
  }
  // Ministry units among the first departments.
  const units = MINISTRY_UNITS.map((u) => ({
    displayName: `${u.name}, ${MINISTRIES.find((m) => m.abbr === u.parent)!.name}`,
    slug: `${u.abbr}-${u.parent}`,
    type: 'governmentAgency' as const,
    maxLevel: 3,
    parent: u.parent,
    key: `${u.abbr}:${u.parent}`,
    home: 'dc-hanoi' as Dc,
  }));
  out.push(...units, ...local);
  return out;
}

export interface GenerateOptions {
  count: number;
  seed?: number;
  /** The run id, as label `bench.govcloud.dev/run` (not part of what is rendered). */
  run?: string;
  deletionPolicy?: 'Retain' | 'Delete';
  /** Where agencies may be placed (default: samples/platform's three, as accredited there). */
  dataCentres?: BenchDataCentre[];
}

/**
 * A body's home data centre: its region's among the samples' three; with more data centres,
 * every province whose index falls on one of them (province mod the number of data centres)
 * moves there with its departments and units, so all of them get a share. The ministries stay
 * in the capital.
 */
function homeOf(c: Candidate, dcs: BenchDataCentre[]): string {
  const extra = dcs.filter((d) => !(DATA_CENTRES as readonly string[]).includes(d.name));
  if (c.province === undefined || extra.length === 0) return c.home;
  const slot = c.province % (DATA_CENTRES.length + extra.length);
  return slot < DATA_CENTRES.length ? c.home : extra[slot - DATA_CENTRES.length]!.name;
}

/** A DNS label of at most `max` characters (no trailing dash). */
function fit(text: string, max: number): string {
  return text.slice(0, max).replace(/-+$/, '');
}

function weighted<T>(rand: () => number, items: [T, number][]): T {
  const total = items.reduce((s, [, w]) => s + w, 0);
  let x = rand() * total;
  for (const [v, w] of items) {
    if ((x -= w) < 0) return v;
  }
  return items[items.length - 1]![0];
}

export function generateAgencies(opts: GenerateOptions): Agency[] {
  const rand = prng(opts.seed ?? 20_250_701);
  const all = candidates();
  const dcs = opts.dataCentres ?? SAMPLE_DATA_CENTRES;
  const order = dcs.map((d) => d.name);
  const out: Agency[] = [];
  const nameOf = new Map<string, string>();
  for (let i = 0; i < opts.count; i++) {
    const c = all[i % all.length]!;
    const round = Math.floor(i / all.length);
    const seq = String(i + 1).padStart(4, '0');
    const name = fit(`${BENCH_PREFIX}${seq}-${c.slug}`, 30);
    if (round === 0) nameOf.set(c.key, name);
    const displayName = round === 0 ? c.displayName : `${c.displayName} (cơ sở ${round + 1})`;

    // Level: mostly 2 (as Decree 85/2016 classifies most administrative systems), at most the body's.
    // Ministries and provinces run nothing below level 2.
    const floor = c.type === 'ministry' || c.type === 'ministryLevelAgency' || c.type === 'province' ? 2 : 1;
    const level = Math.min(
      c.maxLevel,
      Math.max(
        floor,
        weighted(rand, [
          [1, 20],
          [2, 50],
          [3, 22],
          [4, 8],
        ]),
      ),
    );
    // Placement: the region's data centre when accredited, often a second one for recovery.
    const allowed = dcs.filter((d) => d.accreditedLevel >= level).map((d) => d.name);
    if (allowed.length === 0) throw new Error(`no bench data centre is accredited for level ${level} (${c.displayName})`);
    const wanted = homeOf(c, dcs);
    const home = allowed.includes(wanted) ? wanted : allowed[0]!;
    const size = Math.min(
      allowed.length,
      weighted(rand, [
        [1, 45],
        [2, 40],
        [3, 15],
      ]),
    );
    const others = allowed.filter((d) => d !== home).sort(() => rand() - 0.5);
    const placed = [home, ...others].slice(0, size).sort((a, b) => order.indexOf(a) - order.indexOf(b));

    const wsCount = 2 + Math.floor(rand() * 3);
    const templates = [...WORKSPACES].sort(() => rand() - 0.5).slice(0, wsCount);
    const workspaces: Agency['spec']['workspaces'] = templates.map((t) => {
      const w: Agency['spec']['workspaces'][number] = { name: t.name, description: t.description, dataClass: t.dataClass };
      if (t.egress && level <= 2) w.internetEgress = [...t.egress];
      return w;
    });
    const cores = wsCount * (1 + Math.floor(rand() * 4));
    const quotas = placed.map((dataCentre) => ({
      dataCentre,
      cpu: String(cores),
      memory: `${cores * 4}Gi`,
      storage: `${wsCount * (100 + 100 * Math.floor(rand() * 5))}Gi`,
      pods: wsCount * 20,
    }));
    const code = `K${10 + Math.floor(i / 10_000)}.${String(Math.floor(i / 100) % 100).padStart(2, '0')}.${String(i % 100).padStart(2, '0')}`;
    const parent = c.parent !== undefined && round === 0 ? nameOf.get(c.parent) : undefined;
    const spec: Agency['spec'] = {
      code,
      displayName,
      type: c.type,
      groups: { admins: [`${name}-quan-tri`], viewers: [`${name}-giam-sat`] },
      securityLevel: level,
      placement: { dataCentres: placed },
      quotas,
      workspaces,
      deletionPolicy: opts.deletionPolicy ?? 'Delete',
    };
    if (parent) spec.parent = parent;
    const metadata: Agency['metadata'] = { name };
    if (opts.run) metadata.labels = { [BENCH_LABEL]: opts.run };
    out.push({ apiVersion: API, kind: 'Agency', metadata, spec } as Agency);
  }
  return out;
}

/** What the bench applies to each DataCentre: only the capacity, far above the agencies' sum. */
export function benchCapacityPatch(
  name: string,
): Pick<DataCentre, 'apiVersion' | 'kind'> & { metadata: { name: string }; spec: { capacity: typeof BENCH_CAPACITY } } {
  return { apiVersion: API, kind: 'DataCentre', metadata: { name }, spec: { capacity: { ...BENCH_CAPACITY } } } as never;
}
