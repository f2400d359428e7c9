/**
 * A value from outside as an error message may show it: JSON-quoted (so control characters and quotes are escaped)
 * and cut to `max` characters. Input is never echoed at length.
 */
export function quoted(value: unknown, max = 40): string {
  let text: string;
  try {
    text = typeof value === 'string' ? JSON.stringify(value) : String(JSON.stringify(value) ?? typeof value);
  } catch {
    text = typeof value;
  }
  return text.length > max ? `${text.slice(0, max)}…(${text.length} characters)` : text;
}

/** At most `max` messages, then how many more there were. */
export function firstMessages(messages: string[], max = 20): string[] {
  return messages.length > max ? [...messages.slice(0, max), `… and ${messages.length - max} more`] : messages;
}
