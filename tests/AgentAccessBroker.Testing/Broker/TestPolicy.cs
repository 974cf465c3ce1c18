namespace AgentAccessBroker.Testing.Broker;

/// <summary>
/// A policy for one PostgreSQL target on the test cluster, with two agents and its approvers (group platform), and a
/// second approver group (finance: dave) that approves nothing here.
/// </summary>
public static class TestPolicy
{
    public const string PasswordVariable = "AAB_TEST_PG_PASSWORD";

    public static string Yaml(int port, string brokerRole, string database, string approvalTimeout = "30m") => $$"""
        version: 1
        sensitivities:
          low:      { grant_below: 50, deny_at: 90, normal_duration: 1h,  max_duration: 8h,  quorum: 1, approval_timeout: {{approvalTimeout}} }
          medium:   { grant_below: 35, deny_at: 85, normal_duration: 30m, max_duration: 4h,  quorum: 1, approval_timeout: {{approvalTimeout}} }
          high:     { grant_below: 20, deny_at: 80, normal_duration: 15m, max_duration: 1h,  quorum: 1, approval_timeout: {{approvalTimeout}} }
          critical: { grant_below: 0,  deny_at: 70, normal_duration: 15m, max_duration: 30m, quorum: 2, approval_timeout: {{approvalTimeout}} }
        agents:
          - { id: agent-a, owner: alice }
          - { id: agent-b, owner: alice }
        approver_groups:
          - name: platform
            members:
              - { id: bob, identities: { slack: U0BOB, teams: b0b00000-0000-4000-8000-0000000000b0, email: bob@example.test } }
              - { id: carol, identities: { slack: U0CAROL, teams: ca201000-0000-4000-8000-0000000000ca, email: carol@example.test } }
              - { id: admin, identities: { teams: ad310000-0000-4000-8000-0000000000ad } }
          - name: finance
            members:
              - { id: dave, identities: { email: dave@example.test } }
        rules:
          - name: hr-needs-a-human
            effect: require_approval
            when: { data_tag: pii }
        targets:
          - name: app-db
            connector: postgresql
            description: test database
            approvers: platform
            settings:
              host: 127.0.0.1
              port: {{port}}
              admin_database: {{database}}
              username: {{brokerRole}}
              password: { env: {{PasswordVariable}} }
            resources:
              - { name: "{{database}}.public.*", sensitivity: medium, environment: dev }
              - { name: "{{database}}.hr.*", sensitivity: high, environment: dev, tags: [pii] }
        """;
}
