/**
 * `returnTo` values that try to turn the login's final redirect into a redirect to another host.
 * Each must end the login on a path of the app's own origin. The raw value is what the attacker puts
 * in the query (the cases percent-encode it once more on the way in).
 */
export const OPEN_REDIRECT_CORPUS: readonly string[] = [
  // Dot segments that collapse to `//host` once a URL parser removes them.
  '/.//evil.example',
  '/..//evil.example',
  '/%2e//evil.example',
  '/%2E//evil.example',
  '/x/..//evil.example',
  '/%2e%2e//evil.example',
  '/x/%2e%2e//evil.example',
  '/x/.%2e//evil.example',
  '/././/evil.example',
  '/a/b/../../..//evil.example',
  // Scheme-relative and slash runs.
  '//evil.example',
  '///evil.example',
  '////evil.example',
  '//evil.example/%2e%2e',
  // Backslashes, which browsers read as `/` in http(s) URLs.
  '\\\\evil.example',
  '/\\evil.example',
  '\\/evil.example',
  '/\\/evil.example',
  '/.\\/evil.example',
  // Percent-encoded slashes and backslashes a decoding server or proxy would turn into a host.
  '/%5Cevil.example',
  '/%5cevil.example',
  '/%2F/evil.example',
  '/%2f%2fevil.example',
  '%2F%2Fevil.example',
  '/%252F/evil.example',
  '/x/..%2F..%2F/evil.example',
  // Schemes, with and without slashes.
  'https://evil.example',
  'https:evil.example',
  'https:/evil.example',
  'http:\\\\evil.example',
  'javascript:alert(1)',
  'JaVaScRiPt:alert(1)',
  'data:text/html,<script>alert(1)</script>',
  // Tabs, newlines and other controls a browser strips before parsing.
  '/\t/evil.example',
  '/\n/evil.example',
  '/\r\n/evil.example',
  '\t//evil.example',
  '/%09/evil.example',
  '/%0a/evil.example',
  '/\u0000/evil.example',
  ' //evil.example',
  // Unicode look-alikes of `/` and `\`, and other non-ASCII.
  '\uff0f\uff0fevil.example',
  '/\uff0fevil.example',
  '/\uff3cevil.example',
  '\u2215\u2215evil.example',
  '/\u3002/evil.example',
  // Userinfo and host-looking paths.
  '//user@evil.example',
  '/@evil.example',
  'evil.example',
  '.evil.example',
  // Header injection and an oversized value.
  '/\r\nLocation: https://evil.example',
  `/${'a'.repeat(5000)}`,
];
