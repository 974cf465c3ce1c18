using AgentAccessBroker.Credentials;
using AgentAccessBroker.Domain;
using AgentAccessBroker.Policy;

namespace AgentAccessBroker.IntentAnalysis.Tests;

/// <summary>A small policy built in code, so unit tests do not depend on the YAML loader.</summary>
internal static class TestPolicy
{
    public const string Dev = "aws-dev";
    public const string Prod = "aws-prod";
    public const string Db = "pg";

    public static BrokerPolicy Create(IReadOnlyList<HardRule>? rules = null, EscalationRules? escalation = null, IReadOnlyList<AgentPolicy>? agents = null) => new(
        "test-policy.yaml",
        "test",
        new Dictionary<Sensitivity, SensitivityRules>
        {
            [Sensitivity.Low] = new(45, 85, TimeSpan.FromHours(1), TimeSpan.FromHours(8), 1, TimeSpan.FromMinutes(30)),
            [Sensitivity.Medium] = new(40, 85, TimeSpan.FromHours(1), TimeSpan.FromHours(4), 1, TimeSpan.FromMinutes(30)),
            [Sensitivity.High] = new(30, 80, TimeSpan.FromMinutes(30), TimeSpan.FromHours(2), 1, TimeSpan.FromMinutes(30)),
            [Sensitivity.Critical] = new(0, 80, TimeSpan.FromMinutes(15), TimeSpan.FromHours(1), 2, TimeSpan.FromMinutes(30)),
        },
        agents ?? [new AgentPolicy("bot", "alice", []), new AgentPolicy("dev-bot", "erin", [Dev])],
        [new ApproverGroup("platform", [new Approver("frank"), new Approver("grace")], null)],
        rules ?? [],
        [
            Target(Dev, "aws",
                Entry("arn:aws:s3:::dev-*", Sensitivity.Low, "dev", "Development buckets"),
                Entry("arn:aws:logs:eu-west-1:111111111111:log-group:/dev/*", Sensitivity.Low, "dev", "Development application logs"),
                Entry("arn:aws:iam::111111111111:role/dev-*", Sensitivity.Medium, "dev", "IAM roles in the dev account"),
                Entry("arn:aws:ec2:eu-west-1:111111111111:security-group/*", Sensitivity.Medium, "dev", "Dev security groups"),
                Entry("arn:aws:secretsmanager:eu-west-1:111111111111:secret:dev/*", Sensitivity.Medium, "dev", "Dev secrets", "secrets"),
                Entry("arn:aws:dynamodb:eu-west-1:111111111111:table/dev-*", Sensitivity.Low, "dev", "Development tables")),
            Target(Prod, "aws",
                Entry("arn:aws:s3:::prod-billing-exports", Sensitivity.High, "prod", "Billing export files bucket", "financial"),
                Entry("arn:aws:s3:::prod-billing-exports/*", Sensitivity.High, "prod", "Billing export files", "financial"),
                Entry("arn:aws:s3:::prod-hr-documents/*", Sensitivity.Critical, "prod", "HR documents", "pii"),
                Entry("arn:aws:logs:eu-west-1:222222222222:log-group:/prod/*", Sensitivity.Medium, "prod", "Production application logs"),
                Entry("arn:aws:iam::222222222222:role/*", Sensitivity.Critical, "prod", "Production IAM roles"),
                Entry("arn:aws:dynamodb:eu-west-1:222222222222:table/prod-orders", Sensitivity.High, "prod", "Customer orders", "pii", "financial")),
            Target(Db, "postgresql",
                Entry("billing.public.*", Sensitivity.High, "prod", "Billing tables", "financial"),
                Entry("billing.public.invoices", Sensitivity.High, "prod", "Invoices", "financial"),
                Entry("billing.public.customers", Sensitivity.High, "prod", "Customer names and addresses", "pii"),
                Entry("billing.public.payment_methods", Sensitivity.Critical, "prod", "Stored payment cards", "pii", "financial", "secrets"),
                Entry("billing.reporting.*", Sensitivity.Medium, "prod", "Aggregated revenue reports", "financial")),
        ],
        escalation ?? EscalationRules.Default);

    private static TargetPolicy Target(string name, string connector, params ResourcePolicy[] entries) =>
        new(name, name, new TargetSettings(name, connector, new Dictionary<string, string>(), new Dictionary<string, SecretReference>()), "platform", entries);

    private static ResourcePolicy Entry(string pattern, Sensitivity sensitivity, string environment, string description, params string[] tags) =>
        new(pattern, sensitivity, environment, tags, description);
}
