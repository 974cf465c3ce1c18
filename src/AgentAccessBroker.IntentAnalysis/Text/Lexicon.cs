using System.Collections.Frozen;

namespace AgentAccessBroker.IntentAnalysis.Text;

/// <summary>What a word is to the matcher.</summary>
internal enum TermKind
{
    /// <summary>A word that names something specific (billing, orders, hr, portal): decides whether a resource is in scope.</summary>
    Distinctive = 0,

    /// <summary>A cloud noun (bucket, table, logs, role): tells what kind of thing, not which one.</summary>
    GenericNoun = 1,

    /// <summary>An action word (read, delete, investigate).</summary>
    Verb = 2,

    /// <summary>An environment name (prod, dev).</summary>
    Environment = 3,

    /// <summary>A word that carries no intent on its own (access, stuff, task).</summary>
    Vague = 4,

    /// <summary>Resource-name noise (arn, aws, subscriptions, region names).</summary>
    Noise = 5,
}

/// <summary>Verbs a purpose or task expresses, folded into intents.</summary>
[Flags]
internal enum VerbIntent
{
    None = 0,
    Read = 1,
    Write = 2,
    Delete = 4,
    Investigate = 8,
    Permission = 16,
}

/// <summary>One lexicon entry: the canonical form a stem folds into.</summary>
internal readonly record struct Term(string Canonical, TermKind Kind, VerbIntent Intent);

/// <summary>
/// The explainable vocabulary of the matcher: English stop words, a small stemmer and a synonym table of cloud nouns
/// and verbs. Every synonym group folds into one canonical word, which is the word explanations show.
/// </summary>
internal static class Lexicon
{
    private static readonly FrozenSet<string> StopWords = FrozenSet.ToFrozenSet(
    [
        "a", "an", "the", "to", "for", "of", "in", "on", "at", "by", "with", "from", "and", "or", "is", "are", "be", "been", "being",
        "this", "that", "these", "those", "it", "its", "i", "we", "me", "my", "our", "us", "you", "your", "so", "can", "could",
        "should", "would", "will", "shall", "may", "might", "must", "some", "any", "into", "out", "up", "down", "about", "as", "via", "per",
        "then", "than", "now", "also", "only", "after", "before", "during", "while", "because", "since", "there", "here", "what",
        "which", "who", "whom", "how", "when", "where", "not", "no", "do", "does", "did", "done", "have", "has", "had", "if", "but",
        "them", "they", "their", "he", "she", "his", "her", "was", "were", "am", "let", "lets", "over", "under", "again", "more",
        "most", "other", "such", "own", "same", "too", "very", "each", "few", "both", "through", "until", "against", "between",
        "ll", "ve", "re", "don", "doesn", "isn", "won", "etc", "eg", "ie", "one", "two", "new", "old", "last", "next", "first",
    ]);

    private static readonly (string Canonical, TermKind Kind, VerbIntent Intent, string[] Words)[] Groups =
    [
        // Verbs.
        ("read", TermKind.Verb, VerbIntent.Read, ["read", "get", "list", "fetch", "inspect", "query", "view", "look", "check", "describe", "select", "show", "download", "see", "find", "count", "examine", "review", "browse", "scan", "search", "lookup", "compare", "sum", "total", "aggregate", "verify", "confirm", "peek", "receive", "tail", "grep", "watch", "observe", "audit", "measure", "summarize", "summarise", "answer", "extract", "pull"]),
        ("analyse", TermKind.Verb, VerbIntent.Read | VerbIntent.Investigate, ["analyse", "analyze", "analysis", "understand", "explain", "profile", "trace"]),
        ("investigate", TermKind.Verb, VerbIntent.Investigate, ["investigate", "investigation", "debug", "troubleshoot", "diagnose", "diagnosis", "triage", "why", "rootcause", "incident", "outage", "failing", "failure", "fail", "error", "errors", "broken", "slow", "latency", "timeout", "timeouts", "bug", "issue", "problem", "spike", "backlog"]),
        ("fix", TermKind.Verb, VerbIntent.Investigate | VerbIntent.Write, ["fix", "repair", "resolve", "remediate", "mitigate", "hotfix", "correct", "recover", "restore", "unblock"]),
        ("write", TermKind.Verb, VerbIntent.Write, ["write", "put", "update", "upload", "modify", "edit", "change", "insert", "set", "create", "add", "patch", "deploy", "configure", "apply", "migrate", "migration", "rotate", "restart", "publish", "send", "enable", "tag", "alter", "rename", "backfill", "replay", "retry", "rerun", "increase", "scale", "rollback", "implement", "refresh", "renew", "rebuild", "recompute", "regenerate", "recalculate", "reindex", "sync", "bind", "import", "install", "upgrade", "provision", "seed", "load", "store", "save", "append", "upsert", "reprocess", "resend", "requeue", "bump", "adjust", "tune", "toggle", "flip", "start", "stop", "run", "execute", "invoke", "trigger", "schedule", "invalidate", "invalidation", "close", "comment", "reply", "normalise", "normalize", "move", "pin", "post"]),
        ("delete", TermKind.Verb, VerbIntent.Delete, ["delete", "remove", "drop", "purge", "truncate", "clean", "cleanup", "destroy", "wipe", "terminate", "erase", "prune", "rm", "deprovision", "decommission", "teardown", "discard", "expire", "empty", "nuke", "reset", "drain", "consume", "dequeue", "flush", "evict", "tidy", "declutter"]),
        ("grant", TermKind.Verb, VerbIntent.Permission, ["grant", "assign", "attach", "elevate", "authorize", "authorise", "permit", "escalate", "impersonate", "assume", "delegate", "allow", "whitelist", "allowlist", "open"]),

        // Cloud nouns: they say what kind of thing, never which one.
        ("storage", TermKind.GenericNoun, VerbIntent.None, ["storage", "bucket", "s3", "blob", "container", "object", "file", "datalake", "lake", "storageaccount", "storageaccounts", "share", "prefix", "folder", "directory", "st", "bkt", "adls", "lakehouse", "blobservices", "queueservices", "tableservices", "fileservices", "fileshares", "storagev2"]),
        ("database", TermKind.GenericNoun, VerbIntent.None, ["database", "db", "postgres", "postgresql", "pg", "psql", "sql", "rds", "table", "schema", "dynamodb", "dynamo", "row", "record", "column", "index", "flexibleserver", "flexibleservers", "view", "item", "items", "entry", "tbl", "ddb", "sqldb", "cosmos", "cosmosdb", "mysql", "aurora", "redis", "athena", "glue", "redshift", "dbforpostgresql", "dbformysql", "documentdb", "databaseaccounts", "elasticache", "dynamodbtable", "rdsdb", "dbinstance", "dbcluster"]),
        ("logs", TermKind.GenericNoun, VerbIntent.None, ["log", "logs", "logging", "cloudwatch", "telemetry", "monitoring", "monitor", "metric", "metrics", "insight", "insights", "loganalytics", "workspace", "stream", "event", "events", "trail", "cloudtrail", "dashboard", "alert", "alarm", "law", "appi", "loggroup", "operationalinsights", "alertrules", "logstream"]),
        ("queue", TermKind.GenericNoun, VerbIntent.None, ["queue", "sqs", "message", "messages", "servicebus", "topic", "sns", "subscription", "dlq", "deadletter", "sb", "sbq", "sbt", "evh", "evhns", "eventhub", "kinesis", "kafka", "eventhubs", "firehose", "eventgrid"]),
        ("function", TermKind.GenericNoun, VerbIntent.None, ["function", "lambda", "functionapp", "handler", "job", "worker", "cron", "func", "fn", "workflow", "workflows", "statemachine", "stepfunctions"]),
        ("secret", TermKind.GenericNoun, VerbIntent.None, ["secret", "secretsmanager", "keyvault", "vault", "kv", "credential", "password", "token", "apikey", "key", "kms", "certificate", "cert", "parameter", "ssm", "acm", "secretsmanager"]),
        ("identity", TermKind.GenericNoun, VerbIntent.None, ["iam", "role", "user", "identity", "principal", "serviceprincipal", "managedidentity", "account", "group", "login", "sts", "userassignedidentities", "cognito"]),
        ("permission", TermKind.GenericNoun, VerbIntent.Permission, ["policy", "permission", "rbac", "acl", "privilege", "assignment", "roleassignment", "entitlement"]),
        ("network", TermKind.GenericNoun, VerbIntent.None, ["network", "sg", "securitygroup", "nsg", "firewall", "ingress", "egress", "port", "vpc", "subnet", "cidr", "route", "peering", "vnet", "snet", "endpoint", "cdn", "cloudfront", "frontdoor", "afd", "distribution", "virtualnetworks", "networksecuritygroups", "frontdoors", "route53", "elasticloadbalancing", "loadbalancer"]),
        ("compute", TermKind.GenericNoun, VerbIntent.None, ["ec2", "instance", "vm", "virtualmachine", "server", "host", "node", "cluster", "container", "pod", "kubernetes", "aks", "eks", "ecs", "acr", "registry", "compute", "virtualmachines", "managedclusters", "containerservice", "containerregistry", "registries", "serverfarms", "ecr", "autoscaling"]),
        ("config", TermKind.GenericNoun, VerbIntent.None, ["config", "configuration", "setting", "settings", "flag", "feature", "env", "variable"]),

        // Business nouns: they identify scope, so they stay distinctive, but spellings fold together.
        ("billing", TermKind.Distinctive, VerbIntent.None, ["billing", "bill"]),
        ("invoice", TermKind.Distinctive, VerbIntent.None, ["invoice", "invoicing", "invoiced"]),
        ("hr", TermKind.Distinctive, VerbIntent.None, ["hr", "personnel"]),
        ("employee", TermKind.Distinctive, VerbIntent.None, ["employee", "staff", "people", "headcount", "workforce"]),
        ("salary", TermKind.Distinctive, VerbIntent.None, ["salary", "payroll", "compensation", "wage"]),
        ("customer", TermKind.Distinctive, VerbIntent.None, ["customer", "client"]),
        ("order", TermKind.Distinctive, VerbIntent.None, ["order", "purchase", "checkout"]),
        ("email", TermKind.Distinctive, VerbIntent.None, ["email", "mail", "smtp", "newsletter", "notification"]),
        ("cost", TermKind.Distinctive, VerbIntent.None, ["cost", "spend", "budget", "finops"]),
        ("payment", TermKind.Distinctive, VerbIntent.None, ["payment", "card", "pan", "iban"]),
        ("web", TermKind.Distinctive, VerbIntent.None, ["web", "website", "webapp", "appservice", "frontend"]),
        ("image", TermKind.Distinctive, VerbIntent.None, ["image", "thumbnail", "resize", "photo", "picture"]),

        // A noun that is also a change verb ("label the duplicates"): it still names things (shipping labels), and says write.
        ("label", TermKind.Distinctive, VerbIntent.Write, ["label", "labelled", "labeled", "labelling", "labeling"]),

        // Environments.
        ("prod", TermKind.Environment, VerbIntent.None, ["prod", "production", "prd", "live"]),
        ("dev", TermKind.Environment, VerbIntent.None, ["dev", "development", "sandbox"]),
        ("staging", TermKind.Environment, VerbIntent.None, ["staging", "stage", "stg", "preprod", "uat"]),
        ("test", TermKind.Environment, VerbIntent.None, ["test", "testing", "qa"]),

        // Words that carry no intent.
        ("access", TermKind.Vague, VerbIntent.None, ["access", "need", "needed", "want", "task", "work", "working", "stuff", "thing", "something", "anything", "everything", "job", "help", "general", "misc", "various", "temporary", "temp", "quick", "quickly", "bit", "required", "require", "use", "using", "make", "doing", "going", "continue", "ongoing", "maintenance", "operation", "ops", "purpose", "reason", "request", "requested", "just", "like", "basically", "stuff", "routine", "standard", "normal", "usual", "regular", "admin", "administration", "housekeeping", "support", "activities", "activity", "tasks", "please", "thanks", "asap", "today", "now", "currently", "all", "whatever"]),

        // Resource-name noise.
        ("", TermKind.Noise, VerbIntent.None, ["arn", "aws", "microsoft", "subscriptions", "namespaces", "resources", "components", "profiles", "providers", "apimanagement", "cloudformation", "resourcegroups", "resourcegroup", "rg", "providers", "provider", "eu", "us", "west", "east", "north", "south", "central", "europe", "public", "dbo", "main", "default", "api", "svc", "service", "data", "app", "apps", "prefix", "region", "gov", "ap", "sa", "ca", "me", "af", "il", "cn", "northeurope", "westeurope", "eastus", "westus", "uksouth", "com", "www", "http", "https", "internal", "acme", "corp", "azure", "amazon", "cloud", "site", "sites", "id"]),
    ];

    private static readonly FrozenDictionary<string, Term> Entries = Build();
    private static readonly FrozenDictionary<string, Term>.AlternateLookup<ReadOnlySpan<char>> EntriesBySpan = Entries.GetAlternateLookup<ReadOnlySpan<char>>();
    private static readonly FrozenSet<string>.AlternateLookup<ReadOnlySpan<char>> StopWordsBySpan = StopWords.GetAlternateLookup<ReadOnlySpan<char>>();
    private static readonly FrozenSet<string> KnownWords = Groups.SelectMany(g => g.Words).Where(w => w.Length >= 2).ToFrozenSet(StringComparer.Ordinal);
    private static readonly FrozenSet<string>.AlternateLookup<ReadOnlySpan<char>> KnownWordsBySpan = KnownWords.GetAlternateLookup<ReadOnlySpan<char>>();
    private static readonly FrozenDictionary<string, TermKind> KindOfCanonical = Entries.Values
        .GroupBy(t => t.Canonical, StringComparer.Ordinal).ToFrozenDictionary(g => g.Key, g => g.First().Kind, StringComparer.Ordinal);

    /// <summary>Looks up a lowercase word; unknown words are distinctive and keep their stem. Allocates only for unknown words.</summary>
    public static Term Lookup(ReadOnlySpan<char> lowercaseWord)
    {
        Span<char> buffer = stackalloc char[lowercaseWord.Length + 1];
        var stem = buffer[..Stemmer.Stem(lowercaseWord, buffer)];
        if (EntriesBySpan.TryGetValue(stem, out var term))
        {
            return term;
        }

        // The stemmer leaves three-letter words alone, so short plurals of kind words (dbs, vms, kvs) are folded here.
        if (lowercaseWord.Length == 3 && lowercaseWord[2] == 's' && EntriesBySpan.TryGetValue(lowercaseWord[..2], out var singular))
        {
            return singular;
        }

        return LooksLikeIdentifier(lowercaseWord) ? new Term(string.Empty, TermKind.Noise, VerbIntent.None) : new Term(new string(stem), TermKind.Distinctive, VerbIntent.None);
    }

    public static Term Lookup(string lowercaseWord) => Lookup(lowercaseWord.AsSpan());

    public static bool IsStopWord(ReadOnlySpan<char> lowercaseWord) => StopWordsBySpan.Contains(lowercaseWord);

    /// <summary>What kind of word a canonical word (as found in <see cref="TextTerms.All"/>) is.</summary>
    public static TermKind KindOf(string canonical) => KindOfCanonical.TryGetValue(canonical, out var kind) ? kind : TermKind.Distinctive;

    /// <summary>
    /// Splits a run-together resource name ("prodcustomerdata") into known words, written as (start, length) pairs into
    /// <paramref name="pieces"/>; returns how many, or 0. Every piece must be a word of the lexicon, so unknown words are
    /// never cut into accidental pieces. Names with digits are identifiers, not words.
    /// </summary>
    public static int TrySplit(ReadOnlySpan<char> word, Span<(int Start, int Length)> pieces)
    {
        if (word.Length < 8 || word.Length > 48 || word.ContainsAnyInRange('0', '9') || KnownWordsBySpan.Contains(word))
        {
            return 0;
        }

        // best[i]: fewest known words the first i characters split into; from[i]: where the last one starts.
        Span<int> best = stackalloc int[word.Length + 1];
        Span<int> from = stackalloc int[word.Length + 1];
        best.Fill(int.MaxValue);
        best[0] = 0;
        for (var end = 2; end <= word.Length; end++)
        {
            for (var start = Math.Max(0, end - 16); start <= end - 2; start++)
            {
                if (best[start] != int.MaxValue && best[start] + 1 < best[end] && KnownWordsBySpan.Contains(word[start..end]))
                {
                    best[end] = best[start] + 1;
                    from[end] = start;
                }
            }
        }

        var count = best[word.Length];
        if (count == int.MaxValue || count < 2 || count > pieces.Length)
        {
            return SplitAffixes(word, pieces);
        }

        var i = count;
        for (var end = word.Length; end > 0; end = from[end])
        {
            pieces[--i] = (from[end], end - from[end]);
        }

        return count;
    }

    // Type words that resource naming conventions glue to a name: Azure's abbreviations in front (stprodorders,
    // kvpayments), the kind of store behind (ordersqueue, invoicestable). "log" is left out: too many words end in it.
    private static readonly string[] TypePrefixes = ["st", "sa", "kv", "rg", "sb", "sbq", "evh", "func", "appi", "cosmos", "sql", "psql", "redis"];

    private static readonly string[] TypeSuffixes =
    [
        "bucket", "buckets", "table", "tables", "queue", "queues", "vault", "vaults", "topic", "topics", "db", "dbs", "store", "storage", "logs",
        "lake", "datalake", "blob", "blobs", "func", "function", "functions", "lambda", "cache", "kv", "rg", "sa", "sql", "stream", "streams",
        "workspace", "registry", "cluster", "server", "api",
    ];

    private static readonly string[] EnvironmentWords = ["prod", "production", "prd", "dev", "development", "staging", "stage", "stg", "test", "qa", "uat", "preprod", "sandbox"];

    /// <summary>
    /// A run-together name made of a type word, optionally an environment, and one unknown word: <c>stprodorders</c> →
    /// st, prod, orders; <c>ordersqueue</c> → orders, queue. The unknown word keeps at least four letters (five next to an environment); a type prefix
    /// counts only right before an environment (<c>st</c> + <c>prod</c>), so <c>storefront</c> or <c>streaming</c> stay
    /// whole, and a word the lexicon knows is never cut.
    /// </summary>
    private static int SplitAffixes(ReadOnlySpan<char> word, Span<(int Start, int Length)> pieces)
    {
        Span<char> buffer = stackalloc char[word.Length + 1];
        if (EntriesBySpan.ContainsKey(buffer[..Stemmer.Stem(word, buffer)]))
        {
            return 0;
        }

        var prefix = Longest(word, TypePrefixes, atStart: true);
        var envBefore = prefix > 0 ? Longest(word[prefix..], EnvironmentWords, atStart: true) : 0;
        if (envBefore == 0)
        {
            prefix = 0;
        }

        var suffix = Longest(word[(prefix + envBefore)..], TypeSuffixes, atStart: false);
        if (prefix == 0 && suffix > 0)
        {
            envBefore = Longest(word[..^suffix], EnvironmentWords, atStart: true);
        }

        var start = prefix + envBefore;
        var end = word.Length - suffix;
        var envAfter = envBefore == 0 && suffix > 0 && start < end ? Longest(word[start..end], EnvironmentWords, atStart: false) : 0;
        end -= envAfter;
        if ((prefix == 0 && suffix == 0) || end - start < (envBefore + envAfter > 0 ? 5 : 4))
        {
            return 0;
        }

        var count = 0;
        if (prefix > 0)
        {
            pieces[count++] = (0, prefix);
        }

        if (envBefore > 0)
        {
            pieces[count++] = (prefix, envBefore);
        }

        pieces[count++] = (start, end - start);
        if (envAfter > 0)
        {
            pieces[count++] = (end, envAfter);
        }

        if (suffix > 0)
        {
            pieces[count++] = (word.Length - suffix, suffix);
        }

        return count;
    }

    private static int Longest(ReadOnlySpan<char> word, string[] affixes, bool atStart)
    {
        var best = 0;
        foreach (var affix in affixes)
        {
            if (affix.Length > best && affix.Length < word.Length && (atStart ? word.StartsWith(affix, StringComparison.Ordinal) : word.EndsWith(affix, StringComparison.Ordinal)))
            {
                best = affix.Length;
            }
        }

        return best;
    }

    /// <summary>Account ids, GUID pieces, version numbers and dates name nothing a human would write in a task.</summary>
    private static bool LooksLikeIdentifier(ReadOnlySpan<char> word)
    {
        var digits = 0;
        foreach (var ch in word)
        {
            if (char.IsAsciiDigit(ch))
            {
                digits++;
            }
        }

        if (digits == word.Length)
        {
            return true;
        }

        // A hex run with digits is a piece of a GUID, key id or hash (48ef, 1a2b3c4d), never a name a task repeats.
        if (digits > 0 && word.Length >= 4 && IsHex(word))
        {
            return true;
        }

        return digits >= 3 && word.Length >= 6;
    }

    private static bool IsHex(ReadOnlySpan<char> word)
    {
        foreach (var ch in word)
        {
            if (!char.IsAsciiHexDigitLower(ch) && !char.IsAsciiDigit(ch))
            {
                return false;
            }
        }

        return true;
    }

    private static FrozenDictionary<string, Term> Build()
    {
        var map = new Dictionary<string, Term>(StringComparer.Ordinal);
        foreach (var (canonical, kind, intent, words) in Groups)
        {
            var shown = canonical.Length == 0 ? string.Empty : canonical;
            foreach (var word in words)
            {
                map.TryAdd(Stemmer.Stem(word), new Term(shown.Length == 0 ? Stemmer.Stem(word) : shown, kind, intent));
            }
        }

        return map.ToFrozenDictionary(StringComparer.Ordinal);
    }
}
