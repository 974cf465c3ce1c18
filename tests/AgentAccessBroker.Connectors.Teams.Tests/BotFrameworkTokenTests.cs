using System.Security.Cryptography;
using AgentAccessBroker.Connectors.Teams.Auth;
using AgentAccessBroker.Connectors.Teams.Tests.Fakes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.Tokens;

namespace AgentAccessBroker.Connectors.Teams.Tests;

/// <summary>
/// The bot endpoint against a local OpenID metadata + JWKS endpoint that signs test tokens: only a valid token for
/// this app and this activity's service URL decides anything; every other one gets 401 and reaches no desk.
/// </summary>
public sealed class BotFrameworkTokenTests : IAsyncLifetime
{
    private FakeTeamsCloud _cloud = null!;
    private TeamsHost _host = null!;

    public async Task InitializeAsync()
    {
        _cloud = await FakeTeamsCloud.StartAsync();
        _host = await TeamsHost.StartAsync(_cloud);
        _host.Desk.Add("req-1", "tina", "owen", 1, (TeamsHost.Alice, "alice"), (TeamsHost.Bob, "bob"));
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        await _cloud.DisposeAsync();
    }

    [Fact]
    public async Task Invoke_ValidToken_VotesAndAnswersWithCard()
    {
        var (status, body) = await _host.PostAsync(TeamsHost.Invoke(_cloud, "req-1", "approve", TeamsHost.Alice), _cloud.BotToken());

        Assert.Equal(200, status);
        Assert.Equal("application/vnd.microsoft.card.adaptive", body!["type"]!.GetValue<string>());
        Assert.Single(_host.Desk.VoteCalls);
        Assert.Equal(1, _host.Desk.Decisions);
    }

    public static TheoryData<string> BadTokens => new() { "forged_signature", "wrong_audience", "wrong_issuer", "expired", "unknown_kid", "other_service_url", "none", "garbage" };

    [Theory]
    [MemberData(nameof(BadTokens))]
    public async Task Invoke_InvalidToken_401AndNothingDecided(string kind)
    {
        var token = kind switch
        {
            "forged_signature" => _cloud.BotToken(signWith: new RsaSecurityKey(RSA.Create(2048)), kid: _cloud.CurrentKid),
            "wrong_audience" => _cloud.BotToken(audience: "00000000-0000-0000-0000-0000000000aa"),
            "wrong_issuer" => _cloud.BotToken(issuer: "https://sts.windows.net/" + FakeTeamsCloud.TenantId + "/"),
            "expired" => _cloud.BotToken(expires: DateTimeOffset.UtcNow.AddMinutes(-10)),
            "unknown_kid" => _cloud.BotToken(signWith: new RsaSecurityKey(RSA.Create(2048)), kid: "kid-never-published"),
            "other_service_url" => _cloud.BotToken(serviceUrl: "https://smba.evil.example/teams/"),
            "garbage" => "not.a.jwt",
            _ => null,
        };

        var (status, _) = await _host.PostAsync(TeamsHost.Invoke(_cloud, "req-1", "approve", TeamsHost.Alice), token);

        Assert.Equal(401, status);
        Assert.Empty(_host.Desk.VoteCalls);
        Assert.DoesNotContain(_host.Logs.Lines, l => token is not null && token.Length > 20 && l.Contains(token, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Invoke_ActivityServiceUrlDiffersFromClaim_401()
    {
        var activity = TeamsHost.Invoke(_cloud, "req-1", "approve", TeamsHost.Alice, serviceUrl: "https://smba.evil.example/teams/");

        var (status, _) = await _host.PostAsync(activity, _cloud.BotToken());

        Assert.Equal(401, status);
        Assert.Empty(_host.Desk.VoteCalls);
    }

    [Fact]
    public async Task Validate_UnknownKid_RefreshesOnceThenRefuses()
    {
        var validator = _host.Services.GetRequiredService<BotFrameworkTokenValidator>();
        var keys = _host.Services.GetRequiredService<SigningKeyCache>();
        Assert.True((await validator.ValidateAsync("Bearer " + _cloud.BotToken(), _cloud.ServiceUrl.ToString(), "msteams", default)).Valid);
        var fetchesBefore = _cloud.KeySetFetches;

        var unknown = await validator.ValidateAsync(
            "Bearer " + _cloud.BotToken(signWith: new RsaSecurityKey(RSA.Create(2048)), kid: "kid-never-published"), _cloud.ServiceUrl.ToString(), "msteams", default);
        var again = await validator.ValidateAsync(
            "Bearer " + _cloud.BotToken(signWith: new RsaSecurityKey(RSA.Create(2048)), kid: "kid-never-published-2"), _cloud.ServiceUrl.ToString(), "msteams", default);

        Assert.Equal("unknown_key", unknown.Code);
        Assert.Equal("unknown_key", again.Code);
        // One refresh for the first unknown kid; the second falls inside the minimum refresh interval.
        Assert.Equal(fetchesBefore + 1, _cloud.KeySetFetches);
        Assert.Equal(2, keys.Fetches);
    }

    [Fact]
    public async Task Validate_KeyRotated_RefreshesAndAccepts()
    {
        var validator = _host.Services.GetRequiredService<BotFrameworkTokenValidator>();
        Assert.True((await validator.ValidateAsync("Bearer " + _cloud.BotToken(), _cloud.ServiceUrl.ToString(), "msteams", default)).Valid);

        var rotated = _cloud.RotateKey();
        var result = await validator.ValidateAsync("Bearer " + _cloud.BotToken(kid: rotated), _cloud.ServiceUrl.ToString(), "msteams", default);

        Assert.True(result.Valid, result.Code);
        Assert.Equal(2, _cloud.KeySetFetches);
    }

    [Fact]
    public async Task Validate_ChannelNotEndorsed_Refused()
    {
        var validator = _host.Services.GetRequiredService<BotFrameworkTokenValidator>();

        var result = await validator.ValidateAsync("Bearer " + _cloud.BotToken(), _cloud.ServiceUrl.ToString(), "slack", default);

        Assert.Equal("channel_not_endorsed", result.Code);
    }

    [Fact]
    public async Task Validate_KeysCached_OneFetchForManyTokens()
    {
        var validator = _host.Services.GetRequiredService<BotFrameworkTokenValidator>();

        for (var i = 0; i < 5; i++)
        {
            Assert.True((await validator.ValidateAsync("Bearer " + _cloud.BotToken(), _cloud.ServiceUrl.ToString(), "msteams", default)).Valid);
        }

        Assert.Equal(1, _cloud.MetadataFetches);
        Assert.Equal(1, _cloud.KeySetFetches);
    }
}
