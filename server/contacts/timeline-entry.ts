// One line of a contact's timeline: the API's shape, shared by the server and the admin console (types only).
export type TimelineEntry =
  | { kind: 'event'; at: string; id: number; type: string; params: Record<string, unknown> }
  | {
      kind: 'mail';
      at: string;
      id: number;
      mailKind: string;
      subject: string;
      status: string;
      sentAt: string | null;
      error: string | null;
    }
  | {
      kind: 'step';
      at: string;
      id: number;
      runId: number;
      workflow: string;
      stepId: string;
      op: string;
      status: string;
      error: string | null;
    };
