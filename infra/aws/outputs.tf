output "broker_role_arn" {
  description = "The role the broker runs as."
  value       = local.broker_role_arn
}

output "broker_policy_arn" {
  value = aws_iam_policy.broker.arn
}

output "target_role_arns" {
  description = "role name => ARN; use as role_arn in the broker's policy targets."
  value       = { for name, role in aws_iam_role.target : name => role.arn }
}

output "policy_targets" {
  description = "Settings to copy into the broker policy file, one target per role."
  value = {
    for name, role in aws_iam_role.target : name => {
      connector                    = "aws"
      role_arn                     = role.arn
      max_session_duration         = "${role.max_session_duration}s"
      broker_uses_role_credentials = var.broker_service_principal == "ec2.amazonaws.com" ? "false" : "auto"
    }
  }
}
