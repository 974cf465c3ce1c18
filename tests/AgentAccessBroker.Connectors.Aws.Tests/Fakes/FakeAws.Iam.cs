using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace AgentAccessBroker.Connectors.Aws.Tests.Fakes;

/// <summary>The IAM side of the fake: inline role policies with IAM's checks and limits.</summary>
internal sealed partial class FakeAws
{
    private async Task IamAsync(HttpContext context, string action, Dictionary<string, StringValues> form)
    {
        var roleName = form.GetValueOrDefault("RoleName").ToString();
        var policyName = form.GetValueOrDefault("PolicyName").ToString();
        if (roleName.Length is < 1 or > 64 || !IamNamePattern().IsMatch(roleName) || policyName.Length is < 1 or > 128 || !IamNamePattern().IsMatch(policyName))
        {
            await ErrorAsync(context, IamNs, HttpStatusCode.BadRequest, "ValidationError", "1 validation error detected: RoleName and PolicyName must match [\\w+=,.@-]+");
            return;
        }

        XElement? result = null;
        Failure? failure = null;
        lock (_gate)
        {
            if (!_roles.TryGetValue(roleName, out var role))
            {
                failure = new(HttpStatusCode.NotFound, "NoSuchEntity", $"The role with name {roleName} cannot be found.");
            }
            else
            {
                switch (action)
                {
                    case "PutRolePolicy":
                        var document = form.GetValueOrDefault("PolicyDocument").ToString();
                        failure = CheckPolicyDocument(document);
                        if (failure is null)
                        {
                            var aggregate = role.InlinePolicies.Where(p => p.Key != policyName).Sum(p => IamSize(p.Value)) + IamSize(document);
                            if (aggregate > InlineAggregateLimit)
                            {
                                failure = new(HttpStatusCode.Conflict, "LimitExceeded", $"Maximum policy size of {InlineAggregateLimit} bytes exceeded for role {roleName}");
                            }
                            else
                            {
                                role.InlinePolicies[policyName] = document;
                            }
                        }

                        break;
                    case "GetRolePolicy":
                        if (role.InlinePolicies.TryGetValue(policyName, out var stored))
                        {
                            result = new XElement(
                                IamNs + "GetRolePolicyResult",
                                new XElement(IamNs + "PolicyName", policyName),
                                new XElement(IamNs + "RoleName", roleName),
                                new XElement(IamNs + "PolicyDocument", Uri.EscapeDataString(stored)));
                        }
                        else
                        {
                            failure = new(HttpStatusCode.NotFound, "NoSuchEntity", $"The role policy with name {policyName} cannot be found.");
                        }

                        break;
                    case "DeleteRolePolicy":
                        if (!role.InlinePolicies.Remove(policyName))
                        {
                            failure = new(HttpStatusCode.NotFound, "NoSuchEntity", $"The role policy with name {policyName} cannot be found.");
                        }

                        break;
                }
            }
        }

        if (failure is not null)
        {
            await ErrorAsync(context, IamNs, failure.Status, failure.Code, failure.Message);
            return;
        }

        await OkAsync(context, IamNs, action, result);
    }

    private static Failure? CheckPolicyDocument(string document)
    {
        if (document.Length == 0 || document.Any(c => c is not ('\t' or '\n' or '\r') && (c < ' ' || c > '\u00FF')))
        {
            return new(HttpStatusCode.BadRequest, "MalformedPolicyDocument", "The policy document contains characters outside [\\u0009\\u000A\\u000D\\u0020-\\u00FF].");
        }

        try
        {
            var statements = FakePolicyEvaluator.Statements(document).ToList();
            if (statements.Count == 0)
            {
                return new(HttpStatusCode.BadRequest, "MalformedPolicyDocument", "Syntax errors in policy.");
            }

            foreach (var statement in statements)
            {
                if (statement["Sid"] is { } sid && !Regex.IsMatch(sid.GetValue<string>(), "^[0-9A-Za-z]*$"))
                {
                    return new(HttpStatusCode.BadRequest, "MalformedPolicyDocument", "Statement IDs (SID) must be alpha-numeric. Check that your input satisfies the regular expression [0-9A-Za-z]*");
                }

                if (statement["Effect"]?.GetValue<string>() is not ("Allow" or "Deny") || statement["Action"] is null || statement["Resource"] is null)
                {
                    return new(HttpStatusCode.BadRequest, "MalformedPolicyDocument", "Syntax errors in policy.");
                }
            }
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
        {
            return new(HttpStatusCode.BadRequest, "MalformedPolicyDocument", "Syntax errors in policy.");
        }

        return null;
    }

    private static int IamSize(string document) => document.Count(c => !char.IsWhiteSpace(c));

    [GeneratedRegex(@"^[\w+=,.@-]+$", RegexOptions.ECMAScript)]
    private static partial Regex IamNamePattern();
}
