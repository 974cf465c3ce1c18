namespace AgentAccessBroker.Connectors.Azure.Tests;

/// <summary>Revocation reads the application back from the path the lease recorded, which older leases wrote too.</summary>
public sealed class GraphApplicationAddressTests
{
    [Fact]
    public void Parse_ObjectIdPath_ReturnsObjectId()
    {
        var address = GraphApplicationAddress.Parse("applications/bbbbbbbb-0000-4000-8000-000000000002");

        Assert.Equal("bbbbbbbb-0000-4000-8000-000000000002", address.ObjectId);
    }

    [Fact]
    public void Parse_AppIdPath_ReturnsAppIdAndNoObjectId()
    {
        var address = GraphApplicationAddress.Parse("applications(appId='22222222-3333-4444-8555-666666666666')");

        Assert.Null(address.ObjectId);
        Assert.Equal("22222222-3333-4444-8555-666666666666", address.AppId);
    }

    [Theory]
    [InlineData("servicePrincipals/abc")]
    [InlineData("applications/abc/addPassword")]
    [InlineData("applications/")]
    public void Parse_OtherPath_Throws(string path) =>
        Assert.Throws<InvalidOperationException>(() => GraphApplicationAddress.Parse(path));
}
