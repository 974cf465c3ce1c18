namespace AgentAccessBroker.Connectors.Slack.Interactivity;

/// <summary>Result of checking a Slack request signature; every value but <see cref="Valid"/> means reject with 401.</summary>
internal enum SignatureCheck
{
    Valid = 0,
    MissingHeaders = 1,
    MalformedTimestamp = 2,
    StaleTimestamp = 3,
    MalformedSignature = 4,
    Mismatch = 5,
}
