/**
 * Electronic identification codes of agencies (Decision 20/2020/QĐ-TTg).
 *
 * Two spellings are in use for one agency: the hierarchical form read left to right
 * (`G22`, `G22.05`, `G22.05.01`, `G22.05.01.001`) and the older form read right to left
 * with zero-filled levels (`000.00.00.G22`, `000.00.05.G22`). The platform accepts both
 * and normalises to the left-to-right form, so that one agency has one code everywhere
 * (labels, identifiers, uniqueness checks).
 */

const LEVEL1 = '[A-Z][0-9]{2}';
export const CODE_LEFT_TO_RIGHT = `^${LEVEL1}(\\.[0-9]{2}(\\.[0-9]{2}(\\.[0-9]{3})?)?)?$`;
export const CODE_RIGHT_TO_LEFT = `^[0-9]{3}\\.[0-9]{2}\\.[0-9]{2}\\.${LEVEL1}$`;
/** Either spelling; a CRD pattern cannot tell which, so this is what the schema checks. */
export const AGENCY_CODE_PATTERN = `(${CODE_LEFT_TO_RIGHT})|(${CODE_RIGHT_TO_LEFT})`;

export type CodeResult = { ok: true; code: string } | { ok: false; message: string };

export function normaliseAgencyCode(raw: string): CodeResult {
  const code = raw.trim();
  if (new RegExp(CODE_LEFT_TO_RIGHT).test(code)) return { ok: true, code };
  if (!new RegExp(CODE_RIGHT_TO_LEFT).test(code)) {
    return {
      ok: false,
      message: `"${raw}" is not an agency code: expected a form like G22 or G22.05.01 (or the older 000.00.05.G22)`,
    };
  }
  const [level4, level3, level2, level1] = code.split('.') as [string, string, string, string];
  const lower = [level2, level3, level4];
  const parts = [level1];
  let ended = false;
  for (const part of lower) {
    const zero = /^0+$/.test(part);
    if (zero) ended = true;
    else if (ended) return { ok: false, message: `"${raw}" names a lower level under an empty one (read right to left, a zero group ends the code)` };
    else parts.push(part);
  }
  return { ok: true, code: parts.join('.') };
}

/** X-Road style identifier of a shared data service: INSTANCE/CLASS/MEMBER/SUBSYSTEM/SERVICE/VERSION. */
export function serviceIdentifier(agencyCode: string, subsystem: string, serviceCode: string, version: string): string {
  return ['VN', 'GOV', agencyCode, subsystem, serviceCode, version].join('/');
}
