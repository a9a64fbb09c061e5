"""Contains all the data models used in inputs/outputs"""

from .agent_create import AgentCreate
from .agent_out import AgentOut
from .agent_patch import AgentPatch
from .api_key_create import ApiKeyCreate
from .api_key_create_role import ApiKeyCreateRole
from .api_key_out import ApiKeyOut
from .available_number_out import AvailableNumberOut
from .available_number_out_type import AvailableNumberOutType
from .billing_receive_stripe_event_stripe_event import (
    BillingReceiveStripeEventStripeEvent,
)
from .call_create import CallCreate
from .capabilities import Capabilities
from .channel_owners import ChannelOwners
from .compliance_delete_type import ComplianceDeleteType
from .compliance_get_type import ComplianceGetType
from .compliance_in import ComplianceIn
from .compliance_out import ComplianceOut
from .compliance_out_scope import ComplianceOutScope
from .compliance_out_type import ComplianceOutType
from .compliance_put_type import CompliancePutType
from .connection_health_out import ConnectionHealthOut
from .connection_out import ConnectionOut
from .connection_put import ConnectionPut
from .connection_put_model import ConnectionPutModel
from .error_detail import ErrorDetail
from .error_out import ErrorOut
from .event_out import EventOut
from .event_out_detail_type_0 import EventOutDetailType0
from .explain_answer import ExplainAnswer
from .explain_out import ExplainOut
from .explain_step import ExplainStep
from .explain_step_data import ExplainStepData
from .forward_action import ForwardAction
from .health_list_out import HealthListOut
from .health_list_out_summary import HealthListOutSummary
from .health_out import HealthOut
from .health_out_status import HealthOutStatus
from .import_item_error import ImportItemError
from .import_item_out import ImportItemOut
from .import_item_out_result import ImportItemOutResult
from .list_of_agent_out import ListOfAgentOut
from .list_of_api_key_out import ListOfApiKeyOut
from .list_of_available_number_out import ListOfAvailableNumberOut
from .list_of_event_out import ListOfEventOut
from .list_of_number_out import ListOfNumberOut
from .list_of_plan_out import ListOfPlanOut
from .list_of_provider_out import ListOfProviderOut
from .list_of_recording_out import ListOfRecordingOut
from .list_of_run_out import ListOfRunOut
from .list_of_tenant_out import ListOfTenantOut
from .manage import Manage
from .manage_patch import ManagePatch
from .message_create import MessageCreate
from .number_buy import NumberBuy
from .number_import import NumberImport
from .number_import_batch import NumberImportBatch
from .number_import_batch_out import NumberImportBatchOut
from .number_out import NumberOut
from .number_patch import NumberPatch
from .number_provider_out import NumberProviderOut
from .number_provider_out_name import NumberProviderOutName
from .number_release import NumberRelease
from .number_status import NumberStatus
from .original_config import OriginalConfig
from .outbound_out import OutboundOut
from .outbound_out_detail_type_0 import OutboundOutDetailType0
from .phone_numbers_search_type import PhoneNumbersSearchType
from .plan_out import PlanOut
from .plan_put import PlanPut
from .platform_compliance_delete_type import PlatformComplianceDeleteType
from .platform_compliance_get_type import PlatformComplianceGetType
from .platform_compliance_put_type import PlatformCompliancePutType
from .price_out import PriceOut
from .price_out_type import PriceOutType
from .pricing_out import PricingOut
from .provider_out import ProviderOut
from .provider_out_name import ProviderOutName
from .provider_put import ProviderPut
from .providers_check_name import ProvidersCheckName
from .providers_delete_name import ProvidersDeleteName
from .providers_get_name import ProvidersGetName
from .providers_put_name import ProvidersPutName
from .reconcile_request import ReconcileRequest
from .recording_out import RecordingOut
from .run_out import RunOut
from .run_out_failures_item import RunOutFailuresItem
from .run_out_orphans_item import RunOutOrphansItem
from .run_out_summary import RunOutSummary
from .say_action import SayAction
from .sms_in import SmsIn
from .sms_in_mode import SmsInMode
from .sms_out import SmsOut
from .stripe_event_out import StripeEventOut
from .stripe_event_out_effects_type_0 import StripeEventOutEffectsType0
from .stripe_event_out_outcome import StripeEventOutOutcome
from .subscription_out import SubscriptionOut
from .subscription_put import SubscriptionPut
from .subscription_put_status import SubscriptionPutStatus
from .tenant_create import TenantCreate
from .tenant_out import TenantOut
from .tenant_patch import TenantPatch
from .tenant_patch_status_type_0 import TenantPatchStatusType0
from .trunk_number_out import TrunkNumberOut
from .trunk_out import TrunkOut
from .trunk_put import TrunkPut
from .voice_in import VoiceIn
from .voice_in_mode import VoiceInMode
from .voice_in_parameters import VoiceInParameters
from .voice_in_provider_type_0 import VoiceInProviderType0
from .voice_out import VoiceOut
from .voice_out_fallback_type_0 import VoiceOutFallbackType0
from .voice_out_parameters import VoiceOutParameters
from .voicemail_action import VoicemailAction

__all__ = (
    "AgentCreate",
    "AgentOut",
    "AgentPatch",
    "ApiKeyCreate",
    "ApiKeyCreateRole",
    "ApiKeyOut",
    "AvailableNumberOut",
    "AvailableNumberOutType",
    "BillingReceiveStripeEventStripeEvent",
    "CallCreate",
    "Capabilities",
    "ChannelOwners",
    "ComplianceDeleteType",
    "ComplianceGetType",
    "ComplianceIn",
    "ComplianceOut",
    "ComplianceOutScope",
    "ComplianceOutType",
    "CompliancePutType",
    "ConnectionHealthOut",
    "ConnectionOut",
    "ConnectionPut",
    "ConnectionPutModel",
    "ErrorDetail",
    "ErrorOut",
    "EventOut",
    "EventOutDetailType0",
    "ExplainAnswer",
    "ExplainOut",
    "ExplainStep",
    "ExplainStepData",
    "ForwardAction",
    "HealthListOut",
    "HealthListOutSummary",
    "HealthOut",
    "HealthOutStatus",
    "ImportItemError",
    "ImportItemOut",
    "ImportItemOutResult",
    "ListOfAgentOut",
    "ListOfApiKeyOut",
    "ListOfAvailableNumberOut",
    "ListOfEventOut",
    "ListOfNumberOut",
    "ListOfPlanOut",
    "ListOfProviderOut",
    "ListOfRecordingOut",
    "ListOfRunOut",
    "ListOfTenantOut",
    "Manage",
    "ManagePatch",
    "MessageCreate",
    "NumberBuy",
    "NumberImport",
    "NumberImportBatch",
    "NumberImportBatchOut",
    "NumberOut",
    "NumberPatch",
    "NumberProviderOut",
    "NumberProviderOutName",
    "NumberRelease",
    "NumberStatus",
    "OriginalConfig",
    "OutboundOut",
    "OutboundOutDetailType0",
    "PhoneNumbersSearchType",
    "PlanOut",
    "PlanPut",
    "PlatformComplianceDeleteType",
    "PlatformComplianceGetType",
    "PlatformCompliancePutType",
    "PriceOut",
    "PriceOutType",
    "PricingOut",
    "ProviderOut",
    "ProviderOutName",
    "ProviderPut",
    "ProvidersCheckName",
    "ProvidersDeleteName",
    "ProvidersGetName",
    "ProvidersPutName",
    "ReconcileRequest",
    "RecordingOut",
    "RunOut",
    "RunOutFailuresItem",
    "RunOutOrphansItem",
    "RunOutSummary",
    "SayAction",
    "SmsIn",
    "SmsInMode",
    "SmsOut",
    "StripeEventOut",
    "StripeEventOutEffectsType0",
    "StripeEventOutOutcome",
    "SubscriptionOut",
    "SubscriptionPut",
    "SubscriptionPutStatus",
    "TenantCreate",
    "TenantOut",
    "TenantPatch",
    "TenantPatchStatusType0",
    "TrunkNumberOut",
    "TrunkOut",
    "TrunkPut",
    "VoiceIn",
    "VoiceInMode",
    "VoiceInParameters",
    "VoiceInProviderType0",
    "VoiceOut",
    "VoiceOutFallbackType0",
    "VoiceOutParameters",
    "VoicemailAction",
)
