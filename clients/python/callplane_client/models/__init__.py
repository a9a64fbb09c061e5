"""Contains all the data models used in inputs/outputs"""

from .agent_create import AgentCreate
from .agent_out import AgentOut
from .agent_patch import AgentPatch
from .api_key_create import ApiKeyCreate
from .api_key_create_role import ApiKeyCreateRole
from .api_key_out import ApiKeyOut
from .attempt_out import AttemptOut
from .available_number_out import AvailableNumberOut
from .available_number_out_type import AvailableNumberOutType
from .billing_receive_stripe_event_stripe_event import (
    BillingReceiveStripeEventStripeEvent,
)
from .call_completed_event import CallCompletedEvent
from .call_completed_event_schema_version import CallCompletedEventSchemaVersion
from .call_completed_event_type import CallCompletedEventType
from .call_create import CallCreate
from .call_fallback_used_event import CallFallbackUsedEvent
from .call_fallback_used_event_schema_version import CallFallbackUsedEventSchemaVersion
from .call_fallback_used_event_type import CallFallbackUsedEventType
from .call_received_event import CallReceivedEvent
from .call_received_event_schema_version import CallReceivedEventSchemaVersion
from .call_received_event_type import CallReceivedEventType
from .call_rejected_event import CallRejectedEvent
from .call_rejected_event_schema_version import CallRejectedEventSchemaVersion
from .call_rejected_event_type import CallRejectedEventType
from .call_status_changed_event import CallStatusChangedEvent
from .call_status_changed_event_schema_version import (
    CallStatusChangedEventSchemaVersion,
)
from .call_status_changed_event_type import CallStatusChangedEventType
from .call_unrouted_event import CallUnroutedEvent
from .call_unrouted_event_schema_version import CallUnroutedEventSchemaVersion
from .call_unrouted_event_type import CallUnroutedEventType
from .capabilities import Capabilities
from .channel_owners import ChannelOwners
from .compliance_delete_type import ComplianceDeleteType
from .compliance_get_type import ComplianceGetType
from .compliance_in import ComplianceIn
from .compliance_out import ComplianceOut
from .compliance_out_scope import ComplianceOutScope
from .compliance_out_type import ComplianceOutType
from .compliance_put_type import CompliancePutType
from .connection_health_changed_event import ConnectionHealthChangedEvent
from .connection_health_changed_event_schema_version import (
    ConnectionHealthChangedEventSchemaVersion,
)
from .connection_health_changed_event_type import ConnectionHealthChangedEventType
from .connection_health_event_data import ConnectionHealthEventData
from .connection_health_out import ConnectionHealthOut
from .connection_out import ConnectionOut
from .connection_put import ConnectionPut
from .connection_put_model import ConnectionPutModel
from .endpoint_create import EndpointCreate
from .endpoint_disabled_event import EndpointDisabledEvent
from .endpoint_disabled_event_schema_version import EndpointDisabledEventSchemaVersion
from .endpoint_disabled_event_type import EndpointDisabledEventType
from .endpoint_event_data import EndpointEventData
from .endpoint_out import EndpointOut
from .endpoint_patch import EndpointPatch
from .endpoint_test_event import EndpointTestEvent
from .endpoint_test_event_schema_version import EndpointTestEventSchemaVersion
from .endpoint_test_event_type import EndpointTestEventType
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
from .list_of_attempt_out import ListOfAttemptOut
from .list_of_available_number_out import ListOfAvailableNumberOut
from .list_of_endpoint_out import ListOfEndpointOut
from .list_of_event_out import ListOfEventOut
from .list_of_number_out import ListOfNumberOut
from .list_of_plan_out import ListOfPlanOut
from .list_of_provider_out import ListOfProviderOut
from .list_of_queued_out import ListOfQueuedOut
from .list_of_recording_out import ListOfRecordingOut
from .list_of_run_out import ListOfRunOut
from .list_of_tenant_out import ListOfTenantOut
from .manage import Manage
from .manage_patch import ManagePatch
from .message_create import MessageCreate
from .message_received_event import MessageReceivedEvent
from .message_received_event_schema_version import MessageReceivedEventSchemaVersion
from .message_received_event_type import MessageReceivedEventType
from .message_status_changed_event import MessageStatusChangedEvent
from .message_status_changed_event_schema_version import (
    MessageStatusChangedEventSchemaVersion,
)
from .message_status_changed_event_type import MessageStatusChangedEventType
from .number_bought_event import NumberBoughtEvent
from .number_bought_event_schema_version import NumberBoughtEventSchemaVersion
from .number_bought_event_type import NumberBoughtEventType
from .number_buy import NumberBuy
from .number_drift_found_event import NumberDriftFoundEvent
from .number_drift_found_event_schema_version import NumberDriftFoundEventSchemaVersion
from .number_drift_found_event_type import NumberDriftFoundEventType
from .number_event_data import NumberEventData
from .number_event_data_detail import NumberEventDataDetail
from .number_handed_back_event import NumberHandedBackEvent
from .number_handed_back_event_schema_version import NumberHandedBackEventSchemaVersion
from .number_handed_back_event_type import NumberHandedBackEventType
from .number_import import NumberImport
from .number_import_batch import NumberImportBatch
from .number_import_batch_out import NumberImportBatchOut
from .number_imported_event import NumberImportedEvent
from .number_imported_event_schema_version import NumberImportedEventSchemaVersion
from .number_imported_event_type import NumberImportedEventType
from .number_out import NumberOut
from .number_patch import NumberPatch
from .number_provider_out import NumberProviderOut
from .number_provider_out_name import NumberProviderOutName
from .number_release import NumberRelease
from .number_released_event import NumberReleasedEvent
from .number_released_event_schema_version import NumberReleasedEventSchemaVersion
from .number_released_event_type import NumberReleasedEventType
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
from .provider_registration_failed_event import ProviderRegistrationFailedEvent
from .provider_registration_failed_event_schema_version import (
    ProviderRegistrationFailedEventSchemaVersion,
)
from .provider_registration_failed_event_type import ProviderRegistrationFailedEventType
from .provider_registration_synced_event import ProviderRegistrationSyncedEvent
from .provider_registration_synced_event_schema_version import (
    ProviderRegistrationSyncedEventSchemaVersion,
)
from .provider_registration_synced_event_type import ProviderRegistrationSyncedEventType
from .providers_check_name import ProvidersCheckName
from .providers_delete_name import ProvidersDeleteName
from .providers_get_name import ProvidersGetName
from .providers_put_name import ProvidersPutName
from .queued_out import QueuedOut
from .reconcile_request import ReconcileRequest
from .recording_absent_event import RecordingAbsentEvent
from .recording_absent_event_schema_version import RecordingAbsentEventSchemaVersion
from .recording_absent_event_type import RecordingAbsentEventType
from .recording_completed_event import RecordingCompletedEvent
from .recording_completed_event_schema_version import (
    RecordingCompletedEventSchemaVersion,
)
from .recording_completed_event_type import RecordingCompletedEventType
from .recording_failed_event import RecordingFailedEvent
from .recording_failed_event_schema_version import RecordingFailedEventSchemaVersion
from .recording_failed_event_type import RecordingFailedEventType
from .recording_in_progress_event import RecordingInProgressEvent
from .recording_in_progress_event_schema_version import (
    RecordingInProgressEventSchemaVersion,
)
from .recording_in_progress_event_type import RecordingInProgressEventType
from .recording_out import RecordingOut
from .registration_event_data import RegistrationEventData
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
from .twilio_event_data import TwilioEventData
from .twilio_event_data_twilio import TwilioEventDataTwilio
from .voice_in import VoiceIn
from .voice_in_mode import VoiceInMode
from .voice_in_parameters import VoiceInParameters
from .voice_in_provider_type_0 import VoiceInProviderType0
from .voice_out import VoiceOut
from .voice_out_fallback_type_0 import VoiceOutFallbackType0
from .voice_out_parameters import VoiceOutParameters
from .voicemail_action import VoicemailAction
from .webhook_deliveries_list_outcome_type_0 import WebhookDeliveriesListOutcomeType0

__all__ = (
    "AgentCreate",
    "AgentOut",
    "AgentPatch",
    "ApiKeyCreate",
    "ApiKeyCreateRole",
    "ApiKeyOut",
    "AttemptOut",
    "AvailableNumberOut",
    "AvailableNumberOutType",
    "BillingReceiveStripeEventStripeEvent",
    "CallCompletedEvent",
    "CallCompletedEventSchemaVersion",
    "CallCompletedEventType",
    "CallCreate",
    "CallFallbackUsedEvent",
    "CallFallbackUsedEventSchemaVersion",
    "CallFallbackUsedEventType",
    "CallReceivedEvent",
    "CallReceivedEventSchemaVersion",
    "CallReceivedEventType",
    "CallRejectedEvent",
    "CallRejectedEventSchemaVersion",
    "CallRejectedEventType",
    "CallStatusChangedEvent",
    "CallStatusChangedEventSchemaVersion",
    "CallStatusChangedEventType",
    "CallUnroutedEvent",
    "CallUnroutedEventSchemaVersion",
    "CallUnroutedEventType",
    "Capabilities",
    "ChannelOwners",
    "ComplianceDeleteType",
    "ComplianceGetType",
    "ComplianceIn",
    "ComplianceOut",
    "ComplianceOutScope",
    "ComplianceOutType",
    "CompliancePutType",
    "ConnectionHealthChangedEvent",
    "ConnectionHealthChangedEventSchemaVersion",
    "ConnectionHealthChangedEventType",
    "ConnectionHealthEventData",
    "ConnectionHealthOut",
    "ConnectionOut",
    "ConnectionPut",
    "ConnectionPutModel",
    "EndpointCreate",
    "EndpointDisabledEvent",
    "EndpointDisabledEventSchemaVersion",
    "EndpointDisabledEventType",
    "EndpointEventData",
    "EndpointOut",
    "EndpointPatch",
    "EndpointTestEvent",
    "EndpointTestEventSchemaVersion",
    "EndpointTestEventType",
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
    "ListOfAttemptOut",
    "ListOfAvailableNumberOut",
    "ListOfEndpointOut",
    "ListOfEventOut",
    "ListOfNumberOut",
    "ListOfPlanOut",
    "ListOfProviderOut",
    "ListOfQueuedOut",
    "ListOfRecordingOut",
    "ListOfRunOut",
    "ListOfTenantOut",
    "Manage",
    "ManagePatch",
    "MessageCreate",
    "MessageReceivedEvent",
    "MessageReceivedEventSchemaVersion",
    "MessageReceivedEventType",
    "MessageStatusChangedEvent",
    "MessageStatusChangedEventSchemaVersion",
    "MessageStatusChangedEventType",
    "NumberBoughtEvent",
    "NumberBoughtEventSchemaVersion",
    "NumberBoughtEventType",
    "NumberBuy",
    "NumberDriftFoundEvent",
    "NumberDriftFoundEventSchemaVersion",
    "NumberDriftFoundEventType",
    "NumberEventData",
    "NumberEventDataDetail",
    "NumberHandedBackEvent",
    "NumberHandedBackEventSchemaVersion",
    "NumberHandedBackEventType",
    "NumberImport",
    "NumberImportBatch",
    "NumberImportBatchOut",
    "NumberImportedEvent",
    "NumberImportedEventSchemaVersion",
    "NumberImportedEventType",
    "NumberOut",
    "NumberPatch",
    "NumberProviderOut",
    "NumberProviderOutName",
    "NumberRelease",
    "NumberReleasedEvent",
    "NumberReleasedEventSchemaVersion",
    "NumberReleasedEventType",
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
    "ProviderRegistrationFailedEvent",
    "ProviderRegistrationFailedEventSchemaVersion",
    "ProviderRegistrationFailedEventType",
    "ProviderRegistrationSyncedEvent",
    "ProviderRegistrationSyncedEventSchemaVersion",
    "ProviderRegistrationSyncedEventType",
    "ProvidersCheckName",
    "ProvidersDeleteName",
    "ProvidersGetName",
    "ProvidersPutName",
    "QueuedOut",
    "ReconcileRequest",
    "RecordingAbsentEvent",
    "RecordingAbsentEventSchemaVersion",
    "RecordingAbsentEventType",
    "RecordingCompletedEvent",
    "RecordingCompletedEventSchemaVersion",
    "RecordingCompletedEventType",
    "RecordingFailedEvent",
    "RecordingFailedEventSchemaVersion",
    "RecordingFailedEventType",
    "RecordingInProgressEvent",
    "RecordingInProgressEventSchemaVersion",
    "RecordingInProgressEventType",
    "RecordingOut",
    "RegistrationEventData",
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
    "TwilioEventData",
    "TwilioEventDataTwilio",
    "VoiceIn",
    "VoiceInMode",
    "VoiceInParameters",
    "VoiceInProviderType0",
    "VoiceOut",
    "VoiceOutFallbackType0",
    "VoiceOutParameters",
    "VoicemailAction",
    "WebhookDeliveriesListOutcomeType0",
)
