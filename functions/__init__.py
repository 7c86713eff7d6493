"""taskfn's functions: one module per Knative Service, each with one public `handle`."""
