" Vim syntax file for idpc configurations (.idp): identity policy as code for Microsoft Entra ID.
" Without a language server; for diagnostics, completion and formatting run `idpc lsp` (see
" docs/editors.md).
if exists("b:current_syntax")
  finish
endif

syntax case match

syntax match idpComment "#.*$" contains=@Spell
syntax region idpString start=/"/ skip=/\\./ end=/"\|$/ contains=idpEscape oneline
syntax match idpEscape /\\\(u{\x\{1,6}}\|.\)/ contained
syntax match idpVariable /\$[A-Za-z_][A-Za-z0-9_]*/
syntax match idpDuration /\<\d\+[hd]\>/
syntax match idpNumber /\<\d\+\>/
syntax match idpOperator /[=+]/
syntax match idpDelimiter /[{},]/

" declarations start at the first column; statements are the first word of an indented line
syntax match idpStatement /^\s\+\zs[a-z_][a-z0-9_]*\>/
syntax match idpReference /\<\(user\|group\|role\|app\|location\|strength\|service_principal\|tenant\)\>\ze\s\+\("\|id\>\)/
syntax match idpDeclaration /^\(policy\|group\|location\|strength\|role\|test\|settings\|authentication_methods\|authentication_context\|on_premises_sync\|pim_group\|access_review\|user\)\>/
syntax match idpDeclaration /^template\>/ nextgroup=idpTemplateName skipwhite
syntax match idpDeclaration /^define\>/ nextgroup=idpDefineName skipwhite
syntax match idpTopLevel /^\(tenant\|emergency_access\|manage\)\>/
syntax match idpUse /^\s\+\zsuse\>/ nextgroup=idpTemplateName skipwhite
syntax match idpTemplateName /[A-Za-z_][A-Za-z0-9_]*/ contained
syntax match idpDefineName /[A-Za-z_][A-Za-z0-9_]*/ contained
syntax keyword idpControl include exclude filter for except satisfies not
syntax keyword idpConstant admin_portals all all_of always android any_of app_protection
syntax keyword idpConstant approved_app authentication_transfer authenticator authenticator_push
syntax keyword idpConstant b2b_collaboration_guest b2b_collaboration_member b2b_direct_connect_user
syntax keyword idpConstant block block_downloads browser compliant_device custom device_based_push
syntax keyword idpConstant device_code eas_supported elevated email every_time everyone
syntax keyword idpConstant exchange_active_sync exclusively false federated_multifactor
syntax keyword idpConstant federated_single_factor fido2 gps guests_or_external_users hardware_oath
syntax keyword idpConstant hidden hidden_membership high hybrid_joined internal_guest ios ip
syntax keyword idpConstant limited linux low macos medium mfa mfa_trusted_ips microsoft365 minor
syntax keyword idpConstant mobile_desktop moderate monitor_only never none off office365 on other
syntax keyword idpConstant other_external_user password password_change paused
syntax keyword idpConstant primary_and_secondary private public qr_code_pin register_device
syntax keyword idpConstant register_security_info report_only required restricted risk_remediation
syntax keyword idpConstant same_as_members secondary security service_provider sms software_oath
syntax keyword idpConstant tap_multi_use tap_one_time temporary_access_pass true trusted voice
syntax keyword idpConstant windows windows_hello windows_phone x509_certificate x509_multifactor
syntax keyword idpConstant x509_single_factor

highlight default link idpComment Comment
highlight default link idpString String
highlight default link idpEscape SpecialChar
highlight default link idpVariable Identifier
highlight default link idpDefineName Identifier
highlight default link idpTemplateName Function
highlight default link idpDuration Number
highlight default link idpNumber Number
highlight default link idpOperator Operator
highlight default link idpDelimiter Delimiter
highlight default link idpStatement Statement
highlight default link idpReference Type
highlight default link idpDeclaration Structure
highlight default link idpTopLevel PreProc
highlight default link idpUse Include
highlight default link idpControl Keyword
highlight default link idpConstant Constant

setlocal commentstring=#\ %s

let b:current_syntax = "idp"
