"""Campaign outputs for CI: SARIF 2.1.0 (code-scanning dashboards) and JUnit XML (test reports)."""
