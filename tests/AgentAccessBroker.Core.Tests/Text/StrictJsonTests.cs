using System.Text.Json;
using AgentAccessBroker.Text;

namespace AgentAccessBroker.Core.Tests.Text;

public sealed class StrictJsonTests
{
    [Theory]
    [InlineData("""{"a":1,"a":2}""")]
    [InlineData("""{"user":{"id":"U1"},"User":{"id":"U2"}}""")]
    [InlineData("""{"actions":[{"value":"r1","VALUE":"r2"}]}""")]
    public void Parse_AmbiguousKeys_Throws(string json)
    {
        Assert.ThrowsAny<JsonException>(() => StrictJson.Parse(json));
    }

    [Fact]
    public void Parse_DistinctKeys_Parses()
    {
        using var document = StrictJson.Parse("""{"a":1,"b":[{"a":2},{"a":3}]}""");

        Assert.Equal(2, document.RootElement.GetProperty("b").GetArrayLength());
    }
}
