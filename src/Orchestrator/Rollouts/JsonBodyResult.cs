namespace Orchestrator.Rollouts;

/// <summary>Outcome of <see cref="JsonBody.ReadAsync{T}"/>: a value, a 413, or a 400 naming the field.</summary>
public sealed class JsonBodyResult<T> where T : class
{
    public T? Value { get; private init; }
    public bool IsTooLarge { get; private init; }
    public ValidationErrors? Errors { get; private init; }

    public static JsonBodyResult<T> Ok(T value) => new() { Value = value };
    public static JsonBodyResult<T> TooLarge() => new() { IsTooLarge = true };

    public static JsonBodyResult<T> Invalid(string jsonPath, string message)
    {
        var errors = new ValidationErrors();
        errors.Add(JsonBody.FieldPath(jsonPath), message);
        return new() { Errors = errors };
    }
}
