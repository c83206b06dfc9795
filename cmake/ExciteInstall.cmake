# cmake/ExciteInstall.cmake — `cmake --install build --prefix P`: the libraries a program built
# on excite links (core, autograd, layers, data, and of apps/ optim and train; not the CLI, the
# study or deploy), their public headers under P/include/excite (so the include paths stay
# "core/tensor.h", "apps/train/trainer.h"), the CMake package (P/lib/cmake/excite:
# exciteConfig.cmake, its version file and exciteTargets.cmake, targets excite::excite_core ...
# and the umbrella excite::excite) and P/lib/pkgconfig/excite.pc. examples/ builds against both.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(EXCITE_VERSION 0.1.0)
set(EXCITE_INSTALL_LIBRARIES excite_core excite_autograd excite_layers excite_data excite_optim excite_dist excite_train)
# A build of some folders only (EXCITE_FOLDERS, as scripts/cross-aarch64.sh configures core and
# autograd) has nothing to install as a package: no rules then, rather than a failed configure.
set(excite_not_built "")
foreach(lib ${EXCITE_INSTALL_LIBRARIES})
  if(NOT TARGET ${lib})
    list(APPEND excite_not_built ${lib})
  endif()
endforeach()
if(excite_not_built)
  message(STATUS "excite: no install rules in this build (not built: ${excite_not_built})")
  return()
endif()
# MPI: on when apps/train/dist found it (excite_dist then links MPI::MPI_CXX); the package asks for it.
get_property(EXCITE_USES_MPI GLOBAL PROPERTY EXCITE_USES_MPI)
if(NOT EXCITE_USES_MPI)
  set(EXCITE_USES_MPI OFF)
endif()
# Highway: on when the kernels link hwy (the Highway port sets it); the package then asks for it.
if(NOT DEFINED EXCITE_USES_HWY)
  set(EXCITE_USES_HWY OFF)
endif()

# excite::excite, everything (the target is excite_package here: `excite` is the command).
add_library(excite_package INTERFACE)
target_link_libraries(excite_package INTERFACE excite_train)
set_target_properties(excite_package PROPERTIES EXPORT_NAME excite)
install(TARGETS ${EXCITE_INSTALL_LIBRARIES} excite_package EXPORT exciteTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
        INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/excite)
foreach(dir core autograd layers data apps/optim apps/train apps/train/dist)
  install(DIRECTORY ${PROJECT_SOURCE_DIR}/${dir}/ DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/excite/${dir}
          FILES_MATCHING PATTERN "*.h")
endforeach()

set(EXCITE_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/excite)
install(EXPORT exciteTargets NAMESPACE excite:: DESTINATION ${EXCITE_CMAKE_DIR})
configure_package_config_file(${CMAKE_CURRENT_LIST_DIR}/exciteConfig.cmake.in
                              ${CMAKE_CURRENT_BINARY_DIR}/exciteConfig.cmake INSTALL_DESTINATION ${EXCITE_CMAKE_DIR})
write_basic_package_version_file(${CMAKE_CURRENT_BINARY_DIR}/exciteConfigVersion.cmake VERSION ${EXCITE_VERSION}
                                 COMPATIBILITY SameMinorVersion)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/exciteConfig.cmake ${CMAKE_CURRENT_BINARY_DIR}/exciteConfigVersion.cmake
        DESTINATION ${EXCITE_CMAKE_DIR})

# pkg-config: the static libraries in link order, then what they link (OpenBLAS and stb by path,
# as the build links them).
set(EXCITE_PC_LIBS "")
foreach(lib excite_train excite_dist excite_optim excite_data excite_layers excite_autograd excite_core)
  string(APPEND EXCITE_PC_LIBS " -l${lib}")
endforeach()
set(EXCITE_PC_REQUIRES "zlib nlohmann_json")
set(EXCITE_PC_REQUIRES_PUBLIC "")
if(EXCITE_USES_MPI)
  set(EXCITE_PC_REQUIRES_PUBLIC "ompi-c")
endif()
if(EXCITE_USES_HWY)  # static libraries: their users link libhwy themselves
  string(APPEND EXCITE_PC_REQUIRES_PUBLIC " libhwy")
endif()
configure_file(${CMAKE_CURRENT_LIST_DIR}/excite.pc.in ${CMAKE_CURRENT_BINARY_DIR}/excite.pc @ONLY)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/excite.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
