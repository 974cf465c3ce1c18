# AgentAccessBroker on Azure: the broker's identity, limited to assigning a fixed list of roles to the agents'
# service principals, and one service principal per agent. Role ids and the ABAC condition live in JSON files next to
# this one; tests in tests/AgentAccessBroker.Connectors.Azure.Tests parse them (terraform cannot run in CI here).

locals {
  assignable_roles = jsondecode(file("${path.module}/roles/assignable-roles.json")).roles
  condition_doc    = jsondecode(file("${path.module}/conditions/broker-role-assignment-condition.json"))
  pim_role         = jsondecode(file("${path.module}/roles/pim-requester-role.json"))

  agent_principal_ids = join(", ", [for sp in azuread_service_principal.agent : sp.object_id])
  broker_condition = replace(
    join("\n", local.condition_doc.condition),
    local.condition_doc.principalIdsPlaceholder,
    local.agent_principal_ids,
  )

  # The value targets put in their role_ids setting, so policy and IaC name the same ids.
  role_ids_setting = join(",", [for role in local.assignable_roles : "${role.name}=${role.id}"])
}

data "azuread_client_config" "current" {}

# ---- The broker -------------------------------------------------------------------------------------------------

resource "azuread_application" "broker" {
  display_name = var.broker_display_name
  owners       = [data.azuread_client_config.current.object_id]
}

resource "azuread_service_principal" "broker" {
  client_id = azuread_application.broker.client_id
  owners    = [data.azuread_client_config.current.object_id]
}

# Role Based Access Control Administrator can write role assignments; the condition is what keeps the broker from
# handing out Owner or User Access Administrator, or granting anything to principals that are not agents.
resource "azurerm_role_assignment" "broker_rbac_administrator" {
  for_each             = toset(var.grant_scopes)
  scope                = each.value
  role_definition_name = "Role Based Access Control Administrator"
  principal_id         = azuread_service_principal.broker.object_id
  principal_type       = "ServicePrincipal"
  condition            = local.broker_condition
  condition_version    = local.condition_doc.conditionVersion
  description          = "AgentAccessBroker: assigns only roles/assignable-roles.json to the agents' service principals"
}

# ---- The agents --------------------------------------------------------------------------------------------------

resource "azuread_application" "agent" {
  for_each     = var.agents
  display_name = "aab-agent-${each.key}"
  # In client-secret mode the broker adds and removes secrets through Application.ReadWrite.OwnedBy, which needs it
  # to own the application.
  owners = concat(
    [data.azuread_client_config.current.object_id],
    var.enable_client_secret_mode ? [azuread_service_principal.broker.object_id] : [],
  )
}

resource "azuread_service_principal" "agent" {
  for_each  = var.agents
  client_id = azuread_application.agent[each.key].client_id
  owners    = [data.azuread_client_config.current.object_id]
}

resource "azuread_application_federated_identity_credential" "agent" {
  for_each       = { for name, agent in var.agents : name => agent if agent.federated_subject != null }
  application_id = azuread_application.agent[each.key].id
  display_name   = "aab-agent-${each.key}-workload"
  audiences      = ["api://AzureADTokenExchange"]
  issuer         = each.value.federated_issuer
  subject        = each.value.federated_subject
}

# ---- Client-secret mode: Graph application permission ------------------------------------------------------------

data "azuread_application_published_app_ids" "well_known" {}

resource "azuread_service_principal" "msgraph" {
  count        = var.enable_client_secret_mode ? 1 : 0
  client_id    = data.azuread_application_published_app_ids.well_known.result["MicrosoftGraph"]
  use_existing = true
}

resource "azuread_app_role_assignment" "broker_application_readwrite_ownedby" {
  count               = var.enable_client_secret_mode ? 1 : 0
  app_role_id         = azuread_service_principal.msgraph[0].app_role_ids["Application.ReadWrite.OwnedBy"]
  principal_object_id = azuread_service_principal.broker.object_id
  resource_object_id  = azuread_service_principal.msgraph[0].object_id
}

# ---- PIM mode (optional) -----------------------------------------------------------------------------------------

resource "azurerm_role_definition" "pim_requester" {
  count       = var.enable_pim_mode ? 1 : 0
  name        = local.pim_role.Name
  scope       = "/subscriptions/${var.subscription_id}"
  description = local.pim_role.Description
  permissions {
    actions          = local.pim_role.Actions
    not_actions      = local.pim_role.NotActions
    data_actions     = local.pim_role.DataActions
    not_data_actions = local.pim_role.NotDataActions
  }
  assignable_scopes = var.grant_scopes
}

resource "azurerm_role_assignment" "broker_pim_requester" {
  for_each           = var.enable_pim_mode ? toset(var.grant_scopes) : toset([])
  scope              = each.value
  role_definition_id = azurerm_role_definition.pim_requester[0].role_definition_resource_id
  principal_id       = azuread_service_principal.broker.object_id
  principal_type     = "ServicePrincipal"
}
