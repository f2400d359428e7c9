export { dailyTrading } from './daily-trading';
export { accountTradingState } from './account-trading-state';
export { scheduledTradingDay } from './scheduled-day';
