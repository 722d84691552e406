/**
 * The text of one console log line, as MagicLogbackAppender formats a logging event
 * (core/logging/LogbackLoggerContext.java:29-50 with core/logging/Formatter.java):
 *
 *   yyyy-MM-dd HH:mm:ss.SSS <level, left-padded to 5> --- [<thread, last 15 chars, left-padded to 15>] <logger
 *   name abbreviated to 39, then cut to its last 40 chars or right-padded to 40>: <message>\n
 *
 * followed, for an event with a throwable, by "\n" + the stack trace + "\n".
 */

function pad2(n: number): string {
  return String(n).padStart(2, '0');
}

/** SimpleDateFormat("yyyy-MM-dd HH:mm:ss.SSS") in the server's time zone. */
export function logTimestamp(ms: number): string {
  const d = new Date(ms);
  return `${d.getFullYear()}-${pad2(d.getMonth() + 1)}-${pad2(d.getDate())} ${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())}.${String(d.getMilliseconds()).padStart(3, '0')}`;
}

/** Formatter#alignment(value, min, max, leftTruncate, leftPad). */
function align(value: string, min: number, max: number, leftTruncate: boolean, leftPad: boolean): string {
  if (value.length > max) return leftTruncate ? value.slice(value.length - max) : value.slice(0, max);
  if (value.length < min) return leftPad ? value.padStart(min) : value.padEnd(min);
  return value;
}

/** TargetLengthBasedClassNameAbbreviator(39) (Formatter.java:179-275; logback's, MAX_DOTS 16). */
export function abbreviateLoggerName(name: string, targetLength = 39): string {
  if (name.length < targetLength) return name;
  const dots: number[] = [];
  for (let k = name.indexOf('.'); k !== -1 && dots.length < 16; k = name.indexOf('.', k + 1)) dots.push(k);
  if (dots.length === 0) return name;
  const lengths: number[] = [];
  let toTrim = name.length - targetLength;
  for (let i = 0; i < dots.length; i++) {
    const previous = i > 0 ? (dots[i - 1] as number) : -1;
    const available = (dots[i] as number) - previous - 1;
    const len = toTrim > 0 ? (available < 1 ? available : 1) : available;
    toTrim -= available - len;
    lengths[i] = len + 1;
  }
  lengths[dots.length] = name.length - (dots[dots.length - 1] as number);
  let out = '';
  for (let i = 0; i <= dots.length; i++) {
    if (i === 0) out += name.slice(0, (lengths[0] as number) - 1);
    else out += name.slice(dots[i - 1] as number, (dots[i - 1] as number) + (lengths[i] as number));
  }
  return out;
}

export interface LogEvent {
  timestamp: number;
  level: 'TRACE' | 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';
  thread: string;
  logger: string;
  message: string;
  /** printStackTrace text of the event's throwable, if it has one. */
  throwable?: string;
}

export function formatLogLine(event: LogEvent): string {
  let line = `${logTimestamp(event.timestamp)} ${align(event.level, 5, 2147483647, true, true)} --- [${align(event.thread, 15, 15, true, true)}] `;
  line += `${align(abbreviateLoggerName(event.logger), 40, 40, true, false)}: ${event.message}\n`;
  if (event.throwable !== undefined) line += `\n${event.throwable}\n`;
  return line;
}
