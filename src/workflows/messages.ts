import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { DayStatus, EmergencyStopOutcome, EmergencyStopRequest } from '../contracts/day';
import type { PortfolioSummary } from '../contracts/portfolio';
import { MESSAGE_NAMES } from '../names';

/** Cancel the day's open orders, optionally close every position, and submit nothing more. */
export const emergencyStopSignal = defineSignal<[EmergencyStopRequest]>(MESSAGE_NAMES.emergencyStop);
/** The kill switch as an update: answers once the open orders are cancelled (and closing orders sent). */
export const emergencyStopUpdate = defineUpdate<EmergencyStopOutcome, [EmergencyStopRequest]>(MESSAGE_NAMES.emergencyStopUpdate);
/** Hold new submissions; fills keep being tracked. */
export const pauseSignal = defineSignal<[]>(MESSAGE_NAMES.pause);
export const resumeSignal = defineSignal<[]>(MESSAGE_NAMES.resume);
export const statusQuery = defineQuery<DayStatus>(MESSAGE_NAMES.status);
/** The portfolio as of the day's latest snapshot; null before the first one. */
export const portfolioQuery = defineQuery<PortfolioSummary | null>(MESSAGE_NAMES.portfolio);
