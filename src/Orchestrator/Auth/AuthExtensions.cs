using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;

namespace Orchestrator.Auth;

public static class AuthExtensions
{
    /// <summary>Any user token: the <c>viewer</c> role and up.</summary>
    public const string UserPolicy = "user";
    public const string OperatorPolicy = "operator";
    public const string AdminPolicy = "admin";

    /// <summary>A user token not limited to environments.</summary>
    public const string GlobalUserPolicy = "global-user";

    /// <summary>An admin token not limited to environments.</summary>
    public const string GlobalAdminPolicy = "global-admin";
    public const string RunnerPolicy = "runner";
    public const string RegistrationPolicy = "registration";

    public static IServiceCollection AddOrchestratorAuth(this IServiceCollection services)
    {
        services.AddSingleton<TokenStore>();
        services.AddSingleton<TokenAdministration>();
        services.AddSingleton<IAuthorizationHandler, RoleRequirementHandler>();
        services.AddSingleton<IAuthorizationMiddlewareResultHandler, ForbiddenProblemHandler>();
        services.AddAuthentication(BearerAuthenticationHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, BearerAuthenticationHandler>(BearerAuthenticationHandler.SchemeName, null);
        services.AddAuthorizationBuilder()
            .AddPolicy(UserPolicy, p => p.AddRequirements(new RoleRequirement(Roles.Viewer)))
            .AddPolicy(OperatorPolicy, p => p.AddRequirements(new RoleRequirement(Roles.Operator)))
            .AddPolicy(AdminPolicy, p => p.AddRequirements(new RoleRequirement(Roles.Admin)))
            .AddPolicy(GlobalUserPolicy, p => p.AddRequirements(new RoleRequirement(Roles.Viewer), new UnscopedRequirement()))
            .AddPolicy(GlobalAdminPolicy, p => p.AddRequirements(new RoleRequirement(Roles.Admin), new UnscopedRequirement()))
            .AddPolicy(RunnerPolicy, p => p.RequireClaim(TokenClaims.Kind, TokenKinds.Runner))
            .AddPolicy(RegistrationPolicy, p => p.RequireClaim(TokenClaims.Kind, TokenKinds.Registration));
        return services;
    }

    /// <summary>Needs <paramref name="policy"/> on top of what the endpoint's group asks.</summary>
    public static TBuilder Needs<TBuilder>(this TBuilder builder, string policy) where TBuilder : IEndpointConventionBuilder =>
        builder.RequireAuthorization(policy);
}
