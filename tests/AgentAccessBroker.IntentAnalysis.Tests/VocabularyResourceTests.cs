namespace AgentAccessBroker.IntentAnalysis.Tests;

public sealed class VocabularyResourceTests
{
    [Theory]
    [InlineData("s3:GetObject", "arn:aws:s3:::data-lake/*", true)]
    [InlineData("s3:GetObject", "arn:aws:logs:eu-west-1:111122223333:log-group:/aws/lambda/app", false)]
    [InlineData("logs:GetLogEvents", "arn:aws:logs:eu-west-1:111122223333:log-group:/aws/lambda/app", true)]
    [InlineData("S3:GetObject", "arn:aws-cn:s3:::data", true)]
    [InlineData("s3:GetObject", "*", true)]
    [InlineData("s3:GetObject", "not-an-arn", true)]
    public void ActsOn_AwsActionAndResource_TrueOnlyWhenTheServicesMatchOrCannotBeTold(string action, string resource, bool expected)
    {
        Assert.Equal(expected, TestVocabularies.Aws.ActsOn(action, resource));
    }

    [Theory]
    [InlineData("arn:aws:athena:eu-west-1:111122223333:workgroup/analytics", true)]
    [InlineData("arn:aws:glue:eu-west-1:111122223333:catalog", true)]
    [InlineData("arn:aws:glue:eu-west-1:111122223333:database/sales", true)]
    [InlineData("arn:aws:glue:eu-west-1:111122223333:job/etl", false)]
    [InlineData("arn:aws:s3:::athena-results", false)]
    public void IsQueryEngine_AwsResource_TrueForTheQueryServiceItself(string resource, bool expected)
    {
        Assert.Equal(expected, TestVocabularies.Aws.IsQueryEngine(resource));
    }

    [Fact]
    public void ActsOnAndIsQueryEngine_VocabularyThatCannotTell_KeepEveryActionAndNameNoEngine()
    {
        Assert.True(TestVocabularies.PostgreSql.ActsOn("SELECT", "arn:aws:s3:::data"));
        Assert.False(TestVocabularies.Azure.IsQueryEngine("/subscriptions/00000000-0000-0000-0000-000000000000"));
    }
}
