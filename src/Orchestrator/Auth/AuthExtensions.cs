using Microsoft.AspNetCore.Authentication;

namespace Orchestrator.Auth;

public static class AuthExtensions
{
    public const string UserPolicy = "user";
    public const string RunnerPolicy = "runner";
    public const string RegistrationPolicy = "registration";

    public static IServiceCollection AddOrchestratorAuth(this IServiceCollection services)
    {
        services.AddSingleton<TokenStore>();
        services.AddAuthentication(BearerAuthenticationHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, BearerAuthenticationHandler>(BearerAuthenticationHandler.SchemeName, null);
        services.AddAuthorizationBuilder()
            .AddPolicy(UserPolicy, p => p.RequireClaim(BearerAuthenticationHandler.KindClaim, TokenKinds.User))
            .AddPolicy(RunnerPolicy, p => p.RequireClaim(BearerAuthenticationHandler.KindClaim, TokenKinds.Runner))
            .AddPolicy(RegistrationPolicy, p => p.RequireClaim(BearerAuthenticationHandler.KindClaim, TokenKinds.Registration));
        return services;
    }
}
