export { dailyTrading } from './daily-trading';
export { accountTradingState } from './account-trading-state';
