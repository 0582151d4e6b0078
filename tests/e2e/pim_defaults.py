"""The PIM policy Microsoft Entra keeps for every directory role, as Graph v1.0 returns it from
GET /policies/roleManagementPolicies?$filter=scopeId eq '/' and scopeType eq 'Directory'
&$expand=rules, with its roleManagementPolicyAssignment. Used to build test tenants (the Contoso
snapshot, the e2e fixtures). The rule ids and shapes are Graph's ("Overview of rules for
Microsoft Entra roles in PIM APIs in Microsoft Graph"); the values are the defaults a new
tenant shows in "Configure Microsoft Entra role settings in Privileged Identity Management".
"""
import uuid


def _target(rule_id):
    return {"caller": "EndUser" if "_EndUser_" in rule_id else "Admin",
            "operations": ["All"],
            "level": "Eligibility" if rule_id.endswith("_Eligibility") else "Assignment",
            "inheritableSettings": [], "enforcedSettings": []}


def _rule(kind, rule_id, **props):
    r = {"@odata.type": "#microsoft.graph.unifiedRoleManagementPolicy%sRule" % kind, "id": rule_id}
    r.update(props)
    r["target"] = _target(rule_id)
    return r


def default_rules():
    rules = []
    for level in ("Admin_Eligibility", "Admin_Assignment", "EndUser_Assignment"):
        if level == "Admin_Eligibility":
            rules.append(_rule("Expiration", "Expiration_Admin_Eligibility",
                               isExpirationRequired=False, maximumDuration="P365D"))
            rules.append(_rule("Enablement", "Enablement_Admin_Eligibility", enabledRules=[]))
        elif level == "Admin_Assignment":
            rules.append(_rule("Expiration", "Expiration_Admin_Assignment",
                               isExpirationRequired=False, maximumDuration="P180D"))
            rules.append(_rule("Enablement", "Enablement_Admin_Assignment",
                               enabledRules=["Justification"]))
        else:
            rules.append(_rule("Expiration", "Expiration_EndUser_Assignment",
                               isExpirationRequired=True, maximumDuration="PT8H"))
            rules.append(_rule("Enablement", "Enablement_EndUser_Assignment",
                               enabledRules=["MultiFactorAuthentication", "Justification"]))
            rules.append(_rule("AuthenticationContext", "AuthenticationContext_EndUser_Assignment",
                               isEnabled=False, claimValue=""))
            rules.append(_rule("Approval", "Approval_EndUser_Assignment", setting={
                "isApprovalRequired": False, "isApprovalRequiredForExtension": False,
                "isRequestorJustificationRequired": True, "approvalMode": "SingleStage",
                "approvalStages": [{"approvalStageTimeOutInDays": 1,
                                    "isApproverJustificationRequired": True,
                                    "escalationTimeInMinutes": 0, "isEscalationEnabled": False,
                                    "primaryApprovers": [], "escalationApprovers": []}]}))
        for who in ("Admin", "Requestor", "Approver"):
            rules.append(_rule("Notification", "Notification_%s_%s" % (who, level),
                               notificationType="Email", recipientType=who,
                               notificationLevel="All", isDefaultRecipientsEnabled=True,
                               notificationRecipients=[]))
    return rules


def policy_for(tenant_id, role_template_id):
    """(policy, assignment) for one directory role, with stable ids."""
    pid = "DirectoryRole_%s_%s" % (tenant_id, uuid.uuid5(uuid.NAMESPACE_URL,
                                                           "pim:" + role_template_id))
    policy = {"id": pid, "displayName": "DirectoryRole", "description": "DirectoryRole",
              "isOrganizationDefault": False, "scopeId": "/", "scopeType": "Directory",
              "lastModifiedDateTime": None, "lastModifiedBy": None, "rules": default_rules()}
    assignment = {"id": "%s_%s" % (pid, role_template_id), "policyId": pid, "scopeId": "/",
                  "scopeType": "Directory", "roleDefinitionId": role_template_id}
    return policy, assignment


def group_policy_for(group_id, access):
    """(policy, assignment) of a group's PIM for Groups settings for `access` ("member" or
    "owner"), as GET /policies/roleManagementPolicyAssignments?$filter=scopeId eq '{group}' and
    scopeType eq 'Group' finds them ("Configure PIM for Groups settings": the same rules as a
    role's, scoped to the group)."""
    pid = "Group_%s_%s" % (group_id, uuid.uuid5(uuid.NAMESPACE_URL, "pim-group:%s:%s" % (group_id, access)))
    policy = {"id": pid, "displayName": "Group", "description": "Group",
              "isOrganizationDefault": False, "scopeId": group_id, "scopeType": "Group",
              "lastModifiedDateTime": None, "lastModifiedBy": None, "rules": default_rules()}
    assignment = {"id": "%s_%s" % (pid, access), "policyId": pid, "scopeId": group_id,
                  "scopeType": "Group", "roleDefinitionId": access}
    return policy, assignment
