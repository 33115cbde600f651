namespace EngineImage.Serving;

/// <summary>Why a request body was refused: the field at fault (null for the body as a whole) and a sentence
/// a person can act on.</summary>
public sealed record BadRequest(string? Field, string Message);
