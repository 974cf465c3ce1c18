using AgentAccessBroker.Domain;

namespace AgentAccessBroker.IntentAnalysis.Scoring;

/// <summary>
/// Every number the analyzer adds, in one place, so the scoring can be read and reviewed as a table
/// (docs/DECISIONS.md reproduces it). Rows are indexed by <see cref="ActionClass"/>, columns by <see cref="Sensitivity"/>.
/// </summary>
internal static class Weights
{
    /// <summary>The base of every score: what the request does, to how sensitive a resource.</summary>
    public static readonly int[,] ActionBySensitivity =
    {
        //            low medium high critical
        /* read     */ { 0, 5, 10, 15 },
        /* write    */ { 10, 20, 30, 40 },
        /* destroy  */ { 20, 35, 45, 55 },
        /* privilege*/ { 35, 45, 55, 65 },
        /* wildcard */ { 50, 60, 70, 80 },
    };

    public const int ProductionRead = 5;
    public const int ProductionChange = 10;
    public const int TaskEnvironmentMismatch = 20;

    public const int TagPii = 15;
    public const int TagSecrets = 15;
    public const int TagFinancial = 5;
    public const int TagHealth = 15;

    /// <summary>Any wildcard resource: an open-ended set of things.</summary>
    public static readonly int[] WildcardResourceRead = [0, 0, 5, 5];
    public static readonly int[] WildcardResourceChange = [5, 5, 10, 10];

    /// <summary>A wildcard that also covers other catalogue entries (<c>billing.public.*</c> covers the customers table).</summary>
    public const int WildcardCoversOthersRead = 10;
    public const int WildcardCoversOthersChange = 20;

    /// <summary>A broad built-in role (Contributor, Owner) on a whole Azure resource group or subscription: a wildcard over it.</summary>
    public const int BroadRoleOnScope = 10;

    /// <summary>Destroying a whole table, bucket, database or vault rather than items in it.</summary>
    public static readonly int[] DestroysStore = [0, 10, 15, 20];

    /// <summary>Added when a whole production store is deleted (not emptied): nothing brings it back but a restore.</summary>
    public const int DestroysProductionStore = 15;

    /// <summary>A permission change whose purpose asks for administrator, owner or full access.</summary>
    public const int AdministratorIntent = 20;

    /// <summary>A network change whose purpose opens it to the internet (0.0.0.0/0, anywhere, public).</summary>
    public const int InternetExposure = 30;

    public const int UnrecognisedAction = 10;

    /// <summary>A purpose that speaks of personal data (zip codes, dates of birth) written to a resource described as public.</summary>
    public const int PersonalDataToPublic = 60;

    /// <summary>A purpose that speaks of real data (production, customer, live data) written to a resource described as public.</summary>
    public const int RealDataToPublic = 60;

    /// <summary>A purpose that says the request changes thousands of items of production data at once.</summary>
    public const int BulkProductionChange = 10;

    /// <summary>A production change whose purpose announces it as an addition to the task ("while I'm in there").</summary>
    public const int AddOnChange = 10;

    /// <summary>A delete under a task that says nothing may be lost.</summary>
    public const int TaskForbidsLossButDestroy = 20;
    public const int PeopleRecordsOffTask = 15;
    public const int TaskForbidsAccess = 40;
    public const int DestroysAuditRecords = 40;
    public const int SecretDisclosure = 40;
    public const int UnreadRestriction = 5;

    /// <summary>A read of a high or critical resource that also removes what it reads (a Service Bus receiver settles messages).</summary>
    public const int ReadRemovesItems = 10;

    /// <summary>A request that sets a secret's value under a task that never speaks of secrets, keys or credentials.</summary>
    public const int SecretChangeOffTask = 15;

    /// <summary>Resource count thresholds and points: more than 3, 10, 25 resources.</summary>
    public static readonly (int Above, int Points)[] ResourceCount = [(25, 15), (10, 10), (3, 5)];

    public static readonly (int Above, int Points)[] ActionCount = [(15, 10), (5, 5)];

    /// <summary>Requested duration as a multiple of the policy's normal duration: above 4×, 2×, 1×.</summary>
    public static readonly (double Above, int Points)[] Duration = [(4, 15), (2, 10), (1, 5)];

    public static readonly int[] OutOfScope = [10, 20, 30, 40];
    public const int OutOfScopeChange = 10;

    public const int TaskReadOnlyButWrite = 10;
    public const int TaskReadOnlyButDestroy = 20;

    public const int PurposeReadButWrite = 15;
    public const int PurposeReadButDestroy = 25;
    public const int PurposeReadButPrivilege = 30;
    public const int PurposeChangeButDestroy = 10;
    public const int PurposeSilentOnPrivilege = 15;
    public const int PurposeUnrelated = 10;
    public static readonly int[] PurposeVague = [0, 5, 15, 30];

    public const int InjectedInstruction = 60;
    public const int EvasionLanguage = 35;
    public const int PressureLanguage = 10;
    public const int HiddenCharacters = 40;

    public static readonly int[] NovelResource = [0, 3, 8, 10];
    public static readonly int[] NovelActionClass = [0, 3, 8, 10, 10];

    /// <summary>Requests in the last minute (this one included): at least 20, 10, 5.</summary>
    public static readonly (int AtLeast, int Points)[] Velocity = [(20, 45), (10, 30), (5, 15)];

    /// <summary>The same for reads of low and medium resources: a quick agent reads five things a minute, a burst starts at ten.</summary>
    public static readonly (int AtLeast, int Points)[] ReadVelocity = [(20, 45), (10, 30)];
    public static readonly TimeSpan VelocityWindow = TimeSpan.FromSeconds(60);

    public static readonly int[] PriorDenials = [0, 5, 10, 15];

    public const int RepeatAfterDenial = 20;
    public const int RewordedAfterDenial = 10;
    public const int SimilarToDeniedPurpose = 15;
    public const double RewordingSimilarity = 0.5;

    public const int ScopeWidening = 15;
    public const int NewResourcesInTask = 10;
    public const int NewResourcesThreshold = 3;
    public const int ClassEscalation = 10;

    public const int ChainIdentityThenPolicy = 30;
    public const int IdentityAndPolicyTogether = 25;
    public const int ChainNetworkThenData = 50;
    public const int NetworkAndDataTogether = 25;
    public const int ChainSecretThenOtherEnvironment = 40;
    public const int ChainAfterLoggingWeakened = 50;

    /// <summary>Earlier automatic or approved grants of the same resource and class: at least 25, 10, 3.</summary>
    public static readonly (int AtLeast, int Points)[] Routine = [(25, -30), (10, -20), (3, -10)];
    public const int RoutineMaxResources = 3;
}
