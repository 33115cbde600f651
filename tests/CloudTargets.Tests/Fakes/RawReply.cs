namespace CloudTargets.Tests.Fakes;

/// <summary>A fake's answer as bytes on the wire: status, content type and body text (what a pod answers through the
/// proxy need not be JSON).</summary>
internal sealed record RawReply(int Status, string ContentType, string Body);
