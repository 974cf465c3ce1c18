using AgentAccessBroker.Credentials;

namespace AgentAccessBroker.Core.Tests.Policy;

public sealed class EnvironmentAndFileSecretResolverTests : IDisposable
{
    private const string SecretValue = "pa55-w0rd-from-the-vault";

    private readonly EnvironmentAndFileSecretResolver _resolver = new();
    private readonly string _variable = $"AAB_TEST_SECRET_{Guid.NewGuid():N}";
    private readonly string _directory = Directory.CreateTempSubdirectory("aab-secret-").FullName;

    public void Dispose()
    {
        Environment.SetEnvironmentVariable(_variable, null);
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public void Resolve_SetEnvironmentVariable_ReturnsItsValue()
    {
        Environment.SetEnvironmentVariable(_variable, SecretValue);

        Assert.Equal(SecretValue, _resolver.Resolve(new SecretReference(SecretSource.Environment, _variable)));
    }

    [Fact]
    public void Resolve_UnsetEnvironmentVariable_ThrowsNamingTheReference()
    {
        var ex = Assert.Throws<InvalidOperationException>(() => _resolver.Resolve(new SecretReference(SecretSource.Environment, _variable)));

        Assert.Contains(_variable, ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(SecretValue + "\n")]
    [InlineData(SecretValue + "\r\n")]
    [InlineData(SecretValue)]
    public void Resolve_File_ReturnsContentWithoutTrailingLineBreak(string content)
    {
        var path = Path.Combine(_directory, "secret");
        File.WriteAllText(path, content);

        Assert.Equal(SecretValue, _resolver.Resolve(new SecretReference(SecretSource.File, path)));
    }

    [Fact]
    public void Resolve_FileWithInnerWhitespace_KeepsIt()
    {
        var path = Path.Combine(_directory, "secret");
        File.WriteAllText(path, " a b \n\n");

        Assert.Equal(" a b \n", _resolver.Resolve(new SecretReference(SecretSource.File, path)));
    }

    [Fact]
    public void Resolve_MissingFile_ThrowsNamingTheReference()
    {
        var path = Path.Combine(_directory, "absent");

        var ex = Assert.Throws<InvalidOperationException>(() => _resolver.Resolve(new SecretReference(SecretSource.File, path)));

        Assert.Contains($"file:{path}", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Resolve_EmptyFile_ThrowsWithoutAnyContent()
    {
        var path = Path.Combine(_directory, "empty");
        File.WriteAllText(path, "\n");

        var ex = Assert.Throws<InvalidOperationException>(() => _resolver.Resolve(new SecretReference(SecretSource.File, path)));

        Assert.Contains("empty", ex.Message, StringComparison.Ordinal);
    }
}
