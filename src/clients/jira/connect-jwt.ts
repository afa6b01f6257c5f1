import { createQueryStringHash, encodeSymmetric, fromMethodAndUrl, SymmetricAlgorithm } from 'atlassian-jwt';

export interface ConnectRequestToSign {
  method: string;
  /** The absolute URL the request goes to. */
  url: string;
  /** The site's base URL; its path (a context path, if any) is left out of the qsh, as Jira expects. */
  baseUrl: string;
  appKey: string;
  sharedSecret: string;
  validitySeconds?: number;
  now?: number;
}

/** The JWT a Connect app sends to its host: HS256 over {iss: appKey, iat, exp, qsh}, like ACE's httpClient. */
export function signConnectRequest(request: ConnectRequestToSign): string {
  const iat = Math.floor((request.now ?? Date.now()) / 1000);
  const qsh = createQueryStringHash(fromMethodAndUrl(request.method.toUpperCase(), request.url), false, request.baseUrl);
  return encodeSymmetric(
    { iss: request.appKey, iat, exp: iat + (request.validitySeconds ?? 180), qsh },
    request.sharedSecret,
    SymmetricAlgorithm.HS256,
  );
}
