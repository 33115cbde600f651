using Microsoft.AspNetCore.Http.HttpResults;
using Orchestrator.Limits;
using Orchestrator.Rollouts;

namespace Orchestrator.Hosting;

/// <summary>The problem+json answers the endpoints share, each with a title a person can act on.</summary>
public static class Problems
{
    public static ProblemHttpResult NotFound(string detail) =>
        TypedResults.Problem(detail: detail, statusCode: StatusCodes.Status404NotFound, title: "Not found");

    public static ProblemHttpResult Conflict(string detail, string title = "Conflict") =>
        TypedResults.Problem(detail: detail, statusCode: StatusCodes.Status409Conflict, title: title);

    public static ProblemHttpResult StaleLease() =>
        TypedResults.Problem(detail: "The lease token is no longer current: the lease expired and the step was reclaimed, or the step ended. Stop this work.",
            statusCode: StatusCodes.Status409Conflict, title: "Lease lost");

    /// <summary>The 413 for a body past this request's limit, naming the limit and the setting that raises it.</summary>
    public static ProblemHttpResult TooLarge(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var limit = BodyLimit.Of(request.HttpContext);
        return TypedResults.Problem(detail: $"This endpoint's request bodies are limited to {limit.Bytes} bytes ({limit.Setting}).",
            statusCode: StatusCodes.Status413PayloadTooLarge, title: "Request body too large");
    }

    public static ValidationProblem Invalid(ValidationErrors errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        var dictionary = errors.ToDictionary();
        var first = dictionary.First();
        return TypedResults.ValidationProblem(dictionary, detail: $"{first.Key}: {first.Value[0]}", title: "The request is invalid");
    }

    public static ValidationProblem Invalid(string field, string message)
    {
        var errors = new ValidationErrors();
        errors.Add(field, message);
        return Invalid(errors);
    }
}
