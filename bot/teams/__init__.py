"""The Bot Framework edge, feature-free: the messaging endpoint and its guards, token checks,
the pooled Bot Connector client, the activity codec, the proactive notifier, state storage and
file transfer."""
