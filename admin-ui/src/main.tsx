// The admin UI's entry: checks the session, then shows the login page or the page the URL names.
import { render } from "preact";
import { useEffect, useState } from "preact/hooks";
import { Layout } from "./components/layout";
import { Loading } from "./components/states";
import { whenSessionLost } from "./lib/api";
import { navigate, takeFocusRequest, useLocation } from "./lib/router";
import { checkSession, logOut } from "./lib/session";
import { LoginPage } from "./pages/login";
import { matchRoute } from "./routes";
import "./styles.css";

type Auth = "checking" | "in" | "out";

function App() {
  const { path, query } = useLocation();
  const [auth, setAuth] = useState<Auth>("checking");
  const [notice, setNotice] = useState<string>();

  useEffect(() => {
    whenSessionLost(() => {
      setNotice("Your session has ended. Log in again to continue.");
      setAuth("out");
    });
    checkSession().then(
      (ok) => setAuth(ok ? "in" : "out"),
      () => setAuth("out"),
    );
  }, []);

  const route = matchRoute(path);
  useEffect(() => {
    document.title = auth === "in" ? `${route.title} · Switchboard` : "Log in · Switchboard";
  }, [route.title, auth]);
  // After an in-app navigation, move focus to the new page's heading (announced by screen readers).
  useEffect(() => {
    if (auth !== "in" || !takeFocusRequest()) return;
    window.scrollTo(0, 0);
    requestAnimationFrame(() => document.querySelector<HTMLElement>("[data-page-heading]")?.focus({ preventScroll: true }));
  }, [path, auth]);

  if (auth === "checking") return <Loading label="Opening Switchboard…" />;
  if (auth === "out") {
    return (
      <LoginPage
        notice={notice}
        onLoggedIn={() => {
          setNotice(undefined);
          setAuth("in");
          const next = query.get("next");
          navigate(path === "/login" ? (next?.startsWith("/") && !next.startsWith("//") ? next : "/") : path + location.search, { replace: true });
        }}
      />
    );
  }
  const logout = async () => {
    await logOut().catch(() => undefined);
    setNotice("You are logged out.");
    setAuth("out");
    navigate("/login", { replace: true });
  };
  return (
    <Layout path={path} onLogout={logout}>
      {route.render()}
    </Layout>
  );
}

render(<App />, document.getElementById("app")!);
