output "broker_client_id" {
  description = "Give the broker a credential for this app (certificate or federated identity), then run it with that identity."
  value       = azuread_application.broker.client_id
}

output "broker_principal_object_id" {
  value = azuread_service_principal.broker.object_id
}

output "agents" {
  description = "Per agent: the target settings client_id, principal_object_id and application_object_id."
  value = {
    for name, app in azuread_application.agent : name => {
      client_id             = app.client_id
      principal_object_id   = azuread_service_principal.agent[name].object_id
      application_object_id = app.object_id
    }
  }
}

output "role_ids_setting" {
  description = "Paste into a target's role_ids setting."
  value       = local.role_ids_setting
}
