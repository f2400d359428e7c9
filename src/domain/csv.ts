/** A minimal RFC 4180 reader: quoted fields may hold commas, doubled quotes and line breaks. */

/** One parsed CSV record with the 1-based line it starts on. */
export interface CsvRecord {
  line: number;
  fields: string[];
}

/** Splits CSV text into records; blank lines are dropped, a leading BOM is ignored. */
export function parseCsv(text: string): CsvRecord[] {
  const input = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const records: CsvRecord[] = [];
  let fields: string[] = [];
  let field = '';
  let quoted = false;
  let line = 1;
  let recordLine = 1;
  let sawContent = false;

  const endRecord = () => {
    fields.push(field);
    if (sawContent) records.push({ line: recordLine, fields });
    fields = [];
    field = '';
    sawContent = false;
  };

  for (let i = 0; i < input.length; i++) {
    const char = input[i];
    if (quoted) {
      if (char === '"' && input[i + 1] === '"') {
        field += '"';
        i++;
      } else if (char === '"') {
        quoted = false;
      } else {
        if (char === '\n') line++;
        field += char;
      }
      continue;
    }
    if (char === '"') {
      quoted = true;
      sawContent = true;
    } else if (char === ',') {
      fields.push(field);
      field = '';
      sawContent = true;
    } else if (char === '\n' || char === '\r') {
      if (char === '\r' && input[i + 1] === '\n') i++;
      endRecord();
      line++;
      recordLine = line;
    } else {
      field += char;
      if (char !== ' ' && char !== '\t') sawContent = true;
    }
  }
  if (sawContent || field !== '' || fields.length > 0) endRecord();
  return records;
}
