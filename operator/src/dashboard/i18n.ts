/**
 * The dashboard's words: Vietnamese first, English on request (`?lang=en`, or `en/` in a
 * static tree). Every label a page prints is a key here, so a missing translation is a type
 * error, not an English word on a Vietnamese page.
 */
export const LANGS = ['vi', 'en'] as const;
export type Lang = (typeof LANGS)[number];

const WORDS = {
  title: ['Đám mây dùng chung của Chính phủ', 'Government shared cloud'],
  skip: ['Bỏ qua, đến nội dung chính', 'Skip to main content'],
  nav: ['Điều hướng chính', 'Main navigation'],
  overview: ['Tổng quan quốc gia', 'National overview'],
  catalogue: ['Danh mục dịch vụ chia sẻ', 'Shared services catalogue'],
  access: ['Sơ đồ truy cập', 'Access graph'],
  otherLang: ['English', 'Tiếng Việt'],
  asOf: ['Số liệu tại thời điểm', 'Figures as of'],
  dataCentres: ['Trung tâm dữ liệu', 'Data centres'],
  dataCentre: ['Trung tâm dữ liệu', 'Data centre'],
  agencies: ['Cơ quan, tổ chức', 'Agencies'],
  agency: ['Cơ quan, tổ chức', 'Agency'],
  workspaces: ['Không gian làm việc', 'Workspaces'],
  services: ['Dịch vụ chia sẻ dữ liệu', 'Shared data services'],
  activeGrants: ['Quyền truy cập đang mở', 'Access open now'],
  links: ['Kết nối mạng chuyên dùng', 'Dedicated-network links'],
  byType: ['Cơ quan theo loại hình', 'Agencies by type'],
  byRegion: ['Cơ quan theo vùng', 'Agencies by region'],
  byLevel: ['Cơ quan theo cấp độ an toàn', 'Agencies by security level'],
  regionNote: [
    'Vùng của một cơ quan là vùng của các trung tâm dữ liệu nơi cơ quan được bố trí; cơ quan ở hai vùng được tính ở cả hai.',
    'An agency’s region is that of the data centres it is placed in; an agency in two regions counts in both.',
  ],
  capacity: ['Năng lực tính toán: cung cấp và đã phân bổ', 'Capacity: offered and allocated'],
  allocatedNote: ['Đã phân bổ = tổng hạn mức (quota) của các cơ quan tại trung tâm.', 'Allocated = the sum of the quotas of the agencies placed there.'],
  type: ['Loại hình', 'Type'],
  region: ['Vùng', 'Region'],
  level: ['Cấp độ', 'Level'],
  securityLevel: ['Cấp độ an toàn', 'Security level'],
  accredited: ['Cấp độ được công nhận', 'Accredited level'],
  dedicatedTo: ['Dành riêng cho', 'Dedicated to'],
  count: ['Số lượng', 'Count'],
  name: ['Tên', 'Name'],
  code: ['Mã định danh', 'Code'],
  ready: ['Sẵn sàng', 'Ready'],
  yes: ['Có', 'Yes'],
  no: ['Không', 'No'],
  unknown: ['Chưa rõ', 'Unknown'],
  cpu: ['CPU', 'CPU'],
  memory: ['Bộ nhớ', 'Memory'],
  storage: ['Lưu trữ', 'Storage'],
  pods: ['Pod', 'Pods'],
  offered: ['Cung cấp', 'Offered'],
  allocated: ['Đã phân bổ', 'Allocated'],
  share: ['Tỷ lệ', 'Share'],
  quotas: ['Hạn mức theo trung tâm dữ liệu', 'Quotas per data centre'],
  dataClass: ['Phân loại dữ liệu', 'Data class'],
  description: ['Mô tả', 'Description'],
  namespace: ['Namespace', 'Namespace'],
  internetEgress: ['Đích Internet được phép', 'Internet destinations allowed'],
  owner: ['Cơ quan chủ quản', 'Owner'],
  identifier: ['Mã dịch vụ', 'Identifier'],
  sharing: ['Hình thức chia sẻ', 'Sharing'],
  consumers: ['Cơ quan khai thác dịch vụ của cơ quan', 'Consumers of the agency’s services'],
  consumes: ['Dịch vụ cơ quan khai thác', 'Services the agency consumes'],
  consumer: ['Bên khai thác', 'Consumer'],
  provider: ['Bên cung cấp', 'Provider'],
  service: ['Dịch vụ', 'Service'],
  why: ['Lý do', 'Why'],
  grantsGiven: ['Quyền truy cập đã cấp', 'Grants given'],
  requestsMade: ['Yêu cầu truy cập đã gửi', 'Requests made'],
  request: ['Yêu cầu', 'Request'],
  grant: ['Cấp quyền', 'Grant'],
  purpose: ['Mục đích', 'Purpose'],
  legalBasis: ['Căn cứ pháp lý', 'Legal basis'],
  validFrom: ['Hiệu lực từ', 'Valid from'],
  validUntil: ['Hiệu lực đến', 'Valid until'],
  window: ['Thời hạn', 'Window'],
  state: ['Trạng thái', 'State'],
  open: ['Trong thời hạn', 'In window'],
  notYetValid: ['Chưa đến hạn', 'Not yet valid'],
  expired: ['Đã hết hạn', 'Expired'],
  activeNow: ['Đang mở', 'Open now'],
  notActive: ['Chưa mở', 'Not open'],
  noGrant: ['Chưa có cấp quyền', 'No grant'],
  noRequest: ['Chưa có yêu cầu', 'No request'],
  direction: ['Chiều', 'Direction'],
  peer: ['Đầu kia', 'Peer'],
  ports: ['Cổng', 'Ports'],
  encrypted: ['Mã hóa', 'Encrypted'],
  workspace: ['Không gian làm việc', 'Workspace'],
  parent: ['Cơ quan cấp trên', 'Parent agency'],
  hubNamespace: ['Namespace trên cụm trung tâm', 'Hub namespace'],
  admins: ['Nhóm quản trị', 'Admin groups'],
  viewers: ['Nhóm xem', 'Viewer groups'],
  networkRanges: ['Dải địa chỉ', 'Network ranges'],
  encryptedLinks: ['Hỗ trợ kết nối mã hóa', 'Encrypted links offered'],
  none: ['Không có', 'None'],
  notFound: ['Không tìm thấy trang', 'Page not found'],
  forbidden: ['Không có quyền xem trang này', 'You may not see this page'],
  forbiddenText: ['Tài khoản của bạn không có quyền đọc dữ liệu này trên cụm trung tâm.', 'Your account may not read this data on the hub cluster.'],
  yourAgencies: ['Các cơ quan bạn có thể xem', 'Agencies you may see'],
  reasonGrant: ['Được cấp theo yêu cầu', 'Granted on request'],
  reasonDefault: ['Chia sẻ mặc định', 'Default sharing'],
  reasonOpen: ['Dữ liệu mở', 'Open data'],
  reasonDeclared: ['Chia sẻ mặc định, đã khai báo sử dụng (cấp độ 3 trở lên)', 'Default sharing, use declared (level 3 and above)'],
  edgesNote: [
    'Ai truy cập được dịch vụ nào lúc này và vì sao: cùng quyết định mà operator áp dụng vào chính sách mạng.',
    'Who reaches which service now, and why: the same decision the operator applies as network policy.',
  ],
  ministry: ['Bộ', 'Ministry'],
  ministryLevelAgency: ['Cơ quan ngang bộ', 'Ministry-level agency'],
  governmentAgency: ['Cơ quan thuộc Chính phủ', 'Government agency'],
  sector: ['Ngành', 'Sector'],
  province: ['Tỉnh, thành phố', 'Province'],
  provincialDepartment: ['Sở, ban, ngành địa phương', 'Provincial department'],
  other: ['Khác', 'Other'],
  open_: ['Dữ liệu mở', 'Open'],
  shared: ['Dữ liệu dùng chung', 'Shared'],
  private: ['Dữ liệu dùng riêng', 'Private'],
  default: ['Mặc định', 'Default'],
  onRequest: ['Theo yêu cầu', 'On request'],
} as const satisfies Record<string, readonly [string, string]>;

export type WordKey = keyof typeof WORDS;

export type Translate = (key: WordKey) => string;

export function translator(lang: Lang): Translate {
  const i = lang === 'vi' ? 0 : 1;
  return (key) => WORDS[key][i];
}

/** A value from the API shown in words where the dashboard has them (agency type, data class, sharing). */
export function word(t: Translate, value: string): string {
  const key = value === 'open' ? 'open_' : value;
  return key in WORDS ? t(key as WordKey) : value;
}

export function parseLang(value: string | null | undefined): Lang {
  return value === 'en' ? 'en' : 'vi';
}
