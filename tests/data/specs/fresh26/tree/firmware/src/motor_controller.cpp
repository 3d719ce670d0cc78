#include "rover_drive/motor_controller.hpp"
#include <algorithm>

namespace rover_drive {

MotorController::MotorController(double wheel_base, double max_wheel_speed, uint32_t cmd_timeout_ms)
: wheel_base_(wheel_base), max_wheel_speed_(max_wheel_speed), cmd_timeout_ms_(cmd_timeout_ms) {}

WheelCommand MotorController::fromTwist(double linear_x, double angular_z) const {
  double l = linear_x - angular_z * wheel_base_ / 2.0;
  double r = linear_x + angular_z * wheel_base_ / 2.0;
  l = std::clamp(l, -max_wheel_speed_, max_wheel_speed_);
  r = std::clamp(r, -max_wheel_speed_, max_wheel_speed_);
  return {l, r};
}

void MotorController::update(double linear_x, double angular_z, uint64_t now_ms) {
  last_ = fromTwist(linear_x, angular_z);
  last_cmd_ms_ = now_ms;
}

WheelCommand MotorController::tick(uint64_t now_ms) {
  if (now_ms - last_cmd_ms_ > cmd_timeout_ms_) {
    return {0.0, 0.0};
  }
  return last_;
}

}  // namespace rover_drive
