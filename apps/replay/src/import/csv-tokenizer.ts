// An incremental RFC 4180 tokenizer: text in chunks of any size, records out with the physical
// line each starts on. Quoted fields may hold delimiters, quotes ("") and line breaks; CRLF, LF
// and lone CR all end a record; a leading BOM is dropped; blank lines are skipped. It is lenient
// where spreadsheets are sloppy (a quote inside an unquoted field is kept as text, characters
// after a closing quote are appended) and strict about size: a field or record past its cap
// marks the record bad instead of growing without bound, so one broken quote cannot swallow the
// file into memory. (csv-parse was tried first: its line numbers drift by one after a multi-line
// record and it stops emitting after a skipped oversized record.)

export interface CsvTokenizerOptions {
  delimiter?: string;
  /** Characters in one field at most; default 4096. */
  maxFieldChars?: number;
  /** Fields in one record at most; default 1024. */
  maxFields?: number;
}

/** One record: its fields, the line it starts on (1-based), and why it is bad (null when fine). */
export type RecordSink = (fields: string[], line: number, bad: string | null) => void;

const QUOTE = 0x22;
const CR = 0x0d;
const LF = 0x0a;

const enum State {
  FieldStart,
  Unquoted,
  Quoted,
  QuoteInQuoted,
}

export class CsvTokenizer {
  readonly delimiter: number;
  private readonly maxFieldChars: number;
  private readonly maxFields: number;
  private fields: string[] = [];
  private field = '';
  private state = State.FieldStart;
  private line = 1;
  private recordLine = 1;
  /** The previous character was a CR outside quotes (a following LF belongs to it). */
  private afterCR = false;
  /** The previous character was a CR inside quotes (for line counting only). */
  private crInQuotes = false;
  private bad: string | null = null;
  private started = false;
  private ended = false;

  constructor(options: CsvTokenizerOptions = {}) {
    const d = options.delimiter ?? ',';
    if (d.length !== 1 || d === '"' || d === '\r' || d === '\n') throw new RangeError('delimiter must be one character other than a quote or a line break');
    this.delimiter = d.charCodeAt(0);
    this.maxFieldChars = options.maxFieldChars ?? 4096;
    this.maxFields = options.maxFields ?? 1024;
  }

  /** Lines seen so far (the line the tokenizer is on). */
  get lines(): number {
    return this.line;
  }

  push(chunk: string, emit: RecordSink): void {
    if (this.ended) throw new Error('push() after end()');
    let i = 0;
    if (!this.started && chunk.length > 0) {
      this.started = true;
      if (chunk.charCodeAt(0) === 0xfeff) i = 1;
    }
    let seg = i; // start of the run of field text not yet copied into this.field
    const n = chunk.length;
    const delim = this.delimiter;
    for (; i < n; i++) {
      const c = chunk.charCodeAt(i);
      switch (this.state) {
        case State.Quoted:
          if (c === QUOTE) {
            this.append(chunk, seg, i);
            this.state = State.QuoteInQuoted;
          } else if (c === LF) {
            if (!this.crInQuotes) this.line++;
            this.crInQuotes = false;
          } else if (c === CR) {
            this.line++;
            this.crInQuotes = true;
          } else {
            this.crInQuotes = false;
          }
          continue;
        case State.QuoteInQuoted:
          if (c === QUOTE) {
            // "" inside quotes: one quote
            this.state = State.Quoted;
            seg = i; // the second quote starts the next run, so it is copied
            continue;
          }
          if (c === delim) {
            this.endField();
            this.state = State.FieldStart;
            continue;
          }
          if (c === CR || c === LF) {
            this.endRecord(emit, c);
            continue;
          }
          this.state = State.Unquoted; // lenient: "ab"c reads as abc
          seg = i;
          continue;
        case State.FieldStart:
          if (c === LF && this.afterCR) {
            this.afterCR = false;
            continue;
          } // the LF of a CRLF
          this.afterCR = false;
          if (c === QUOTE) {
            this.state = State.Quoted;
            seg = i + 1;
            continue;
          }
          if (c === delim) {
            this.endField();
            continue;
          }
          if (c === CR || c === LF) {
            this.endRecord(emit, c);
            continue;
          }
          this.state = State.Unquoted;
          seg = i;
          continue;
        case State.Unquoted:
          if (c === delim) {
            this.append(chunk, seg, i);
            this.endField();
            this.state = State.FieldStart;
            continue;
          }
          if (c === CR || c === LF) {
            this.append(chunk, seg, i);
            this.endRecord(emit, c);
            continue;
          }
          continue;
      }
    }
    if (this.state === State.Quoted || this.state === State.Unquoted) this.append(chunk, seg, n);
  }

  /** Flushes the last record (a file need not end with a line break). */
  end(emit: RecordSink): void {
    if (this.ended) return;
    if (this.state === State.Quoted) {
      this.bad ??= 'a quoted field is not closed before the end of the file';
    }
    if (this.state !== State.FieldStart || this.fields.length > 0) this.endRecord(emit, -1);
    this.ended = true;
  }

  private append(chunk: string, from: number, to: number): void {
    if (to <= from || this.bad !== null) return;
    if (this.field.length + (to - from) > this.maxFieldChars) {
      this.bad = `a field is longer than ${this.maxFieldChars} characters`;
      this.field = '';
      return;
    }
    this.field += chunk.slice(from, to);
  }

  private endField(): void {
    if (this.bad === null) {
      if (this.fields.length >= this.maxFields) {
        this.bad = `a record has more than ${this.maxFields} fields`;
        this.fields = [];
      } else {
        this.fields.push(this.field);
      }
    }
    this.field = '';
  }

  /** `c` is the character that ended the record (CR, LF) or −1 at the end of the input. */
  private endRecord(emit: RecordSink, c: number): void {
    this.endField();
    const fields = this.fields;
    const blank = this.bad === null && fields.length === 1 && fields[0] === '';
    if (!blank) emit(fields, this.recordLine, this.bad);
    this.fields = [];
    this.bad = null;
    this.state = State.FieldStart;
    if (c === CR || c === LF) {
      this.line++;
      this.afterCR = c === CR;
    }
    this.recordLine = this.line;
  }
}
