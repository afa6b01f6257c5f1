/** Set by the server in a script before the bundle (Connect pages). Absent on Forge. */
interface AtiHostInfo {
  host: 'connect' | 'forge';
  view: 'page' | 'dialog';
}

interface Window {
  __ATI_HOST__?: AtiHostInfo;
}
