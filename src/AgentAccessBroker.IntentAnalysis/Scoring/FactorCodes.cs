namespace AgentAccessBroker.IntentAnalysis.Scoring;

/// <summary>Stable identifiers of the factors, as stored in audit events and shown by <c>aab simulate</c>.</summary>
internal static class FactorCodes
{
    public const string ActionClass = "action_class";
    public const string UnrecognisedAction = "unrecognised_action";
    public const string Production = "production";
    public const string EnvironmentMismatch = "environment_mismatch";
    public const string DataTag = "data_tag";
    public const string WildcardResource = "wildcard_resource";
    public const string WildcardCoversOthers = "wildcard_covers_others";
    public const string DestroysStore = "destroys_store";
    public const string BroadRoleOnScope = "broad_role_on_scope";
    public const string AdministratorIntent = "administrator_intent";
    public const string InternetExposure = "internet_exposure";
    public const string ResourceCount = "resource_count";
    public const string ActionCount = "action_count";
    public const string Duration = "duration";
    public const string OutOfTaskScope = "out_of_task_scope";
    public const string TaskReadOnly = "task_read_only";
    public const string PurposeActionMismatch = "purpose_action_mismatch";
    public const string PurposeSilentOnPrivilege = "purpose_silent_on_privilege";
    public const string PurposeUnrelated = "purpose_unrelated";
    public const string PurposeVague = "purpose_vague";
    public const string InjectedInstruction = "injected_instruction";
    public const string EvasionLanguage = "evasion_language";
    public const string PressureLanguage = "pressure_language";
    public const string HiddenCharacters = "hidden_characters";
    public const string NovelResource = "novel_resource";
    public const string NovelActionClass = "novel_action_class";
    public const string Velocity = "velocity";
    public const string PriorDenials = "prior_denials";
    public const string RepeatAfterDenial = "repeat_after_denial";
    public const string RewordedAfterDenial = "reworded_after_denial";
    public const string ScopeWidening = "scope_widening";
    public const string NewResources = "new_resources";
    public const string ClassEscalation = "class_escalation";
    public const string ChainIdentityPolicy = "chain_identity_policy";
    public const string ChainNetworkData = "chain_network_data";
    public const string ChainSecretEnvironment = "chain_secret_environment";
    public const string ChainAfterLoggingWeakened = "chain_logging_weakened";
    public const string Routine = "routine";
    public const string PersonalDataToPublic = "personal_data_to_public";
    public const string SecretChangeOffTask = "secret_change_off_task";
    public const string RealDataToPublic = "real_data_to_public";
    public const string TaskForbidsLoss = "task_forbids_loss";
    public const string ReadRemovesItems = "read_removes_items";
    public const string BulkProductionChange = "bulk_production_change";
    public const string AddOnChange = "add_on_change";
    public const string PeopleRecordsOffTask = "people_records_off_task";
    public const string TaskForbidsAccess = "task_forbids_access";
    public const string CredentialsToPublic = "credentials_to_public";
    public const string DestroysAuditRecords = "destroys_audit_records";
    public const string SecretDisclosure = "secret_disclosure";
    public const string UnreadRestriction = "unread_restriction";

    /// <summary>Factors that mark a request as suspicious: while any is present, history may not lower the score.</summary>
    public static readonly string[] RedFlags =
    [
        InjectedInstruction, EvasionLanguage, PressureLanguage, HiddenCharacters, OutOfTaskScope, PurposeActionMismatch, PurposeUnrelated,
        Velocity, RepeatAfterDenial, RewordedAfterDenial, ScopeWidening, ChainIdentityPolicy, ChainNetworkData, ChainSecretEnvironment,
        ChainAfterLoggingWeakened, EnvironmentMismatch, UnrecognisedAction, AdministratorIntent, InternetExposure, WildcardCoversOthers,
        PersonalDataToPublic, SecretChangeOffTask, RealDataToPublic, TaskForbidsLoss, AddOnChange,
        PeopleRecordsOffTask, TaskForbidsAccess, CredentialsToPublic, DestroysAuditRecords, SecretDisclosure,
    ];

    /// <summary>
    /// Factors that say the request does not fit its task or is being pushed: without any of them (and without a
    /// wildcard action) a request is on-task, and a high score from sensitivity alone sends it to a human, not to a denial.
    /// </summary>
    public static readonly string[] Misalignment =
    [
        InjectedInstruction, EvasionLanguage, PressureLanguage, HiddenCharacters, OutOfTaskScope, TaskReadOnly, PurposeActionMismatch, PurposeUnrelated,
        PurposeVague, PurposeSilentOnPrivilege, Velocity, PriorDenials, RepeatAfterDenial, RewordedAfterDenial, ScopeWidening, NewResources, ChainIdentityPolicy,
        ChainNetworkData, ChainSecretEnvironment, ChainAfterLoggingWeakened, EnvironmentMismatch, UnrecognisedAction, AdministratorIntent, InternetExposure,
        WildcardCoversOthers, PersonalDataToPublic, SecretChangeOffTask, RealDataToPublic, TaskForbidsLoss, AddOnChange,
        PeopleRecordsOffTask, TaskForbidsAccess, CredentialsToPublic, DestroysAuditRecords, SecretDisclosure,
    ];
}
