#include <gtest/gtest.h>
#include "rover_drive/motor_controller.hpp"

using rover_drive::MotorController;

TEST(MotorController, StraightLine) {
  MotorController mc(0.5, 2.0, 200);
  auto c = mc.fromTwist(1.0, 0.0);
  EXPECT_DOUBLE_EQ(c.left, 1.0);
  EXPECT_DOUBLE_EQ(c.right, 1.0);
}

TEST(MotorController, WatchdogZeroes) {
  MotorController mc(0.5, 2.0, 200);
  mc.update(1.0, 0.0, 1000);
  EXPECT_DOUBLE_EQ(mc.tick(1100).left, 1.0);
  EXPECT_DOUBLE_EQ(mc.tick(1300).left, 0.0);
}
