// The part of mailauth (4.x ships no types) the DKIM test uses.
declare module 'mailauth' {
  export function authenticate(
    message: Buffer | string,
    options: {
      resolver: (name: string, rr: string) => Promise<unknown>;
      disableArc?: boolean;
      disableBimi?: boolean;
      trustReceived?: boolean;
    },
  ): Promise<{
    dkim: { results: { status: { result: string; comment?: string }; signingDomain: string }[] };
  }>;
}
