"""Event relay, subscription streams and (later) notices, e-mail and webhooks."""
