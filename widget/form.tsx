// The subscription form rendered inside the shadow root: fields, consent, honeypot, proofs, messages.
import { Component, createRef } from 'preact';
// Types only: erased from the bundle, so the widget and the server cannot disagree on the keys.
import type { Form } from '../server/forms/form-schema.ts';
import type { Strings as WidgetStrings } from '../server/forms/widget-strings.ts';
import { loadTurnstile, type Proof, solveChallenge } from './proof.ts';

/** The widget's texts, in the visitor's language, chosen and merged with the form's by the server. */
type Strings = WidgetStrings & Record<string, string>;

export interface FieldDef {
  name: string;
  type: 'email' | 'tel' | 'text' | 'textarea' | 'checkbox' | 'number';
  label?: string;
  required: boolean;
  maxLength: number;
}

export interface FormDef {
  id: string;
  fields: FieldDef[];
  requireConsent: boolean;
  botDefence: Form['botDefence'];
  originAllowed: boolean;
  lang: string;
  dir: 'ltr' | 'rtl';
  strings: Strings;
}

interface Props {
  def: FormDef;
  server: string;
}

interface State {
  errors: Record<string, string>;
  sending: boolean;
  done: boolean;
  message: string;
  failed: boolean;
}

const noop = () => {};

const autocomplete: Record<string, string> = {
  email: 'email',
  phone: 'tel',
  firstName: 'given-name',
  lastName: 'family-name',
};

export class SubflowForm extends Component<Props, State> {
  override state: State = { errors: {}, sending: false, done: false, message: '', failed: false };
  private shownAt = Date.now();
  private form = createRef<HTMLFormElement>();
  private status = createRef<HTMLParagraphElement>();
  private captcha = createRef<HTMLDivElement>();
  /** The proof of work under way or found; each is good for one subscribe. */
  private proof: Promise<Proof | undefined> | undefined;
  /** Turnstile's current token, and how to ask it for a new one after a post used it. */
  private token: string | undefined;
  private resetCaptcha = noop;

  private get url() {
    return `${this.props.server}/v1/forms/${encodeURIComponent(this.props.def.id)}`;
  }

  override componentDidMount() {
    const { def } = this.props;
    if (!def.originAllowed) this.setState({ message: def.strings.notAllowed, failed: true });
    const sitekey = def.botDefence.turnstileSiteKey;
    if (sitekey)
      loadTurnstile().then((t) => {
        const id = t.render(this.captcha.current as HTMLElement, {
          sitekey,
          callback: (token: string) => {
            this.token = token;
          },
        });
        this.resetCaptcha = () => t.reset(id);
        // Turnstile unreachable: posts go without a token, and the server's refusal is shown.
      }, noop);
  }

  /** Starts the proof of work when the visitor first touches the form, so it runs as they type. */
  private startProof = () => {
    if (this.props.def.botDefence.challenge !== 'off')
      this.proof ??= solveChallenge(`${this.url}/challenge`).catch(() => undefined);
  };

  /** Posts with a fresh proof; a refused proof (expired, say) is solved anew and sent once more. */
  private send = async (body: Record<string, unknown>, retry: boolean): Promise<Response> => {
    this.startProof();
    const proof = await this.proof;
    this.proof = undefined;
    const res = await fetch(`${this.url}/subscribe`, {
      method: 'POST',
      credentials: 'omit',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...body, ...proof, 'cf-turnstile-response': this.token }),
    });
    this.token = undefined;
    this.resetCaptcha();
    return res.status === 403 && proof && retry ? this.send(body, false) : res;
  };

  private label(field: FieldDef): string {
    return field.label ?? this.props.def.strings[field.name] ?? field.name;
  }

  /** Only what the browser already knows: required and type=email; the server checks the rest. */
  private localErrors(form: HTMLFormElement): Record<string, string> {
    const errors: Record<string, string> = {};
    const s = this.props.def.strings;
    for (const el of Array.from(form.elements) as HTMLInputElement[]) {
      if (!el.name || el.name === '_hp' || el.validity.valid) continue;
      errors[el.name] = el.validity.typeMismatch ? s.invalidEmail : s.required;
    }
    return errors;
  }

  private fail(message: string, errors: Record<string, string> = {}) {
    this.setState({ sending: false, errors, message, failed: true }, () => {
      const first = Object.keys(errors)[0];
      const input = first && this.form.current?.querySelector<HTMLElement>(`[name="${first}"]`);
      (input || this.status.current)?.focus();
    });
  }

  private submit = async (event: Event) => {
    event.preventDefault();
    const form = this.form.current;
    if (!form || this.state.sending || !this.props.def.originAllowed) return;
    const s = this.props.def.strings;
    const errors = this.localErrors(form);
    if (Object.keys(errors).length) return this.fail(s.fixErrors, errors);

    const body: Record<string, unknown> = {};
    new FormData(form).forEach((value, key) => {
      body[key] = value;
    });
    body._elapsed = Date.now() - this.shownAt;
    this.setState({ sending: true, message: s.sending, failed: false, errors: {} });
    try {
      const res = await this.send(body, true);
      if (res.status === 202) {
        this.setState({ sending: false, done: true, message: s.success }, () =>
          this.status.current?.focus(),
        );
        return;
      }
      if (res.status === 422) {
        const json = await res.json();
        const fieldErrors: Record<string, string> = {};
        for (const issue of json.error?.issues ?? []) {
          fieldErrors[issue.field] = issue.field === 'email' ? s.invalidEmail : issue.message;
        }
        return this.fail(
          Object.keys(fieldErrors).length ? s.fixErrors : (json.error?.message ?? s.failed),
          fieldErrors,
        );
      }
      const code = res.status === 403 && (await res.json()).error?.code;
      this.fail(res.status === 429 ? s.tooMany : code === 'forbidden' ? s.notAllowed : s.failed);
    } catch {
      this.fail(s.failed);
    }
  };

  private clearError = (event: Event) => {
    const name = (event.target as HTMLInputElement).name;
    if (this.state.errors[name]) this.setState({ errors: { ...this.state.errors, [name]: '' } });
  };

  private renderField(field: FieldDef) {
    const id = `sf-${field.name}`;
    const error = this.state.errors[field.name];
    const common = {
      id,
      name: field.name,
      required: field.required,
      'aria-invalid': error ? true : undefined,
      'aria-describedby': error ? `${id}-e` : undefined,
      onInput: this.clearError,
    };
    const message = error ? (
      <span class="e" id={`${id}-e`}>
        {error}
      </span>
    ) : null;
    if (field.type === 'checkbox') {
      return (
        <label class="c" key={field.name}>
          <input type="checkbox" {...common} />
          <span>{this.label(field)}</span>
          {message}
        </label>
      );
    }
    const type = field.name === 'email' ? 'email' : field.name === 'phone' ? 'tel' : field.type;
    return (
      <label key={field.name} for={id}>
        {this.label(field)}
        {type === 'textarea' ? (
          <textarea {...common} maxLength={field.maxLength} rows={3} />
        ) : (
          <input
            {...common}
            type={type}
            maxLength={field.maxLength}
            autocomplete={autocomplete[field.name]}
          />
        )}
        {message}
      </label>
    );
  }

  override render({ def }: Props, { sending, done, message, failed, errors }: State) {
    const consentError = errors.consent;
    const strings = def.strings;
    return (
      <form
        class="f"
        ref={this.form}
        noValidate
        onSubmit={this.submit}
        onFocusIn={this.startProof}
        lang={def.lang}
        dir={def.dir}
        aria-labelledby="sf-t"
      >
        <h2 id="sf-t">{strings.title}</h2>
        {!done && def.fields.map((f) => this.renderField(f))}
        {!done && def.requireConsent && (
          <label class="c">
            <input
              type="checkbox"
              name="consent"
              required
              aria-invalid={consentError ? true : undefined}
              aria-describedby={consentError ? 'sf-consent-e' : undefined}
              onInput={this.clearError}
            />
            <span>{strings.consentLabel}</span>
            {consentError && (
              <span class="e" id="sf-consent-e">
                {consentError}
              </span>
            )}
          </label>
        )}
        {!done && (
          <div class="h" aria-hidden="true">
            <input name="_hp" tabIndex={-1} autocomplete="off" />
          </div>
        )}
        {!done && def.botDefence.turnstileSiteKey && <div ref={this.captcha} />}
        {!done && (
          <button type="submit" disabled={sending || !def.originAllowed}>
            {sending ? strings.sending : strings.submit}
          </button>
        )}
        <p
          class={`s${failed ? ' err' : done ? ' ok' : ''}`}
          role="status"
          aria-live="polite"
          tabIndex={-1}
          ref={this.status}
        >
          {message}
        </p>
      </form>
    );
  }
}
