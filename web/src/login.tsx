// Sign-in (password, then the TOTP step when the account has it) and password reset.
import { useEffect, useRef, useState } from "preact/hooks";
import { ApiError, login } from "./api";
import { navigate } from "./router";
import { ErrorText, useAction } from "./ui";

export function Login(props: { onSignedIn: () => Promise<void> }) {
  const [username, setUsername] = useState("");
  const [password, setPassword] = useState("");
  const [step, setStep] = useState<"password" | "totp" | "recovery">("password");
  const [code, setCode] = useState("");
  const codeInput = useRef<HTMLInputElement>(null);

  const action = useAction(async () => {
    try {
      const second =
        step === "totp" ? { totp_code: code.trim() } : step === "recovery" ? { recovery_code: code.trim() } : undefined;
      await login(username, password, second);
    } catch (e) {
      if (e instanceof ApiError && e.code === "MFA_REQUIRED" && step === "password") {
        setStep("totp");
        return;
      }
      // A refused code is spent: cleared, so that Enter or Verify cannot send it again.
      if (e instanceof ApiError && e.status === 401 && step !== "password") {
        setCode("");
        codeInput.current?.focus();
      }
      throw e;
    }
    await props.onSignedIn();
  });

  useEffect(() => {
    if (step !== "password") codeInput.current?.focus();
  }, [step]);

  return (
    <main class="auth-page">
      <form
        class="card"
        aria-labelledby="login-title"
        onSubmit={(e) => {
          e.preventDefault();
          void action.run();
        }}
      >
        <h1 id="login-title">Sign in to Coffer</h1>
        {step === "password" ? (
          <>
            <label>
              Username
              <input
                name="username"
                autoComplete="username"
                autoFocus
                required
                value={username}
                onInput={(e) => setUsername(e.currentTarget.value)}
              />
            </label>
            <label>
              Password
              <input
                name="password"
                type="password"
                autoComplete="current-password"
                required
                value={password}
                onInput={(e) => setPassword(e.currentTarget.value)}
              />
            </label>
          </>
        ) : (
          <>
            <p>
              {step === "totp"
                ? "Enter the six-digit code from your authenticator app."
                : "Enter one of your recovery codes. Each works once."}
            </p>
            <label>
              {step === "totp" ? "Authentication code" : "Recovery code"}
              <input
                ref={codeInput}
                name="code"
                autoComplete="one-time-code"
                inputMode={step === "totp" ? "numeric" : "text"}
                required
                value={code}
                onInput={(e) => setCode(e.currentTarget.value)}
              />
            </label>
            <button
              type="button"
              class="link"
              onClick={() => {
                setCode("");
                action.setError(null);
                setStep(step === "totp" ? "recovery" : "totp");
              }}
            >
              {step === "totp" ? "Use a recovery code instead" : "Use an authentication code instead"}
            </button>
          </>
        )}
        <ErrorText error={action.error} />
        <button class="primary" disabled={action.busy}>
          {action.busy ? "Signing in…" : step === "password" ? "Sign in" : "Verify"}
        </button>
      </form>
    </main>
  );
}

// The page a password-reset link opens (/reset-password#TOKEN, issued by an administrator).
// The token travels in the fragment, so it never reaches a server log.
export function ResetPassword() {
  const token = location.hash.slice(1);
  const [password, setPassword] = useState("");
  const [confirm, setConfirm] = useState("");
  const [done, setDone] = useState(false);
  const action = useAction(async () => {
    if (password !== confirm) throw new Error("The two passwords differ.");
    const response = await fetch("/api/v1/auth/password-reset", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ token, new_password: password }),
    });
    if (!response.ok) {
      const body = await response.json().catch(() => null);
      throw new ApiError(response.status, body?.error?.code ?? "", body?.error?.message ?? "The reset failed.");
    }
    setDone(true);
  });
  return (
    <main class="auth-page">
      <form
        class="card"
        aria-labelledby="reset-title"
        onSubmit={(e) => {
          e.preventDefault();
          void action.run();
        }}
      >
        <h1 id="reset-title">Choose a new password</h1>
        {done ? (
          <p>
            Your password is set. <a href="/login" onClick={() => navigate("/login")}>Sign in</a>.
          </p>
        ) : (
          <>
            {!token && <p class="error">This link is incomplete: ask your administrator for a new one.</p>}
            <label>
              New password
              <input type="password" autoComplete="new-password" required minLength={10} value={password}
                onInput={(e) => setPassword(e.currentTarget.value)} />
            </label>
            <label>
              Repeat it
              <input type="password" autoComplete="new-password" required value={confirm}
                onInput={(e) => setConfirm(e.currentTarget.value)} />
            </label>
            <ErrorText error={action.error} />
            <button class="primary" disabled={action.busy || !token}>
              Set password
            </button>
          </>
        )}
      </form>
    </main>
  );
}
