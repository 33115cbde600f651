namespace Orchestrator.GitHub;

/// <summary>The receiver's answer: the delivery is recorded (or was already: a redelivery starts nothing).</summary>
public sealed record WebhookAck(string DeliveryId);
