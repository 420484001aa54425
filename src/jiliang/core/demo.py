"""The demo province: apps contribute build steps (core.extending.DemoStep), and `jiliang demo` runs them in order."""

DEMO_PASSWORD = "jiliang-demo"  # noqa: S105  (demo accounts only, printed by `jiliang demo-logins`)
